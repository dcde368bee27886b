/**
 * The schema keeps its own rules: every tenant table is locked down by RLS,
 * the app can never become a role that bypasses it, and keys carry
 * organization_id so the schema can be distributed by organization.
 */
import { expect, test } from 'vitest'
import { setupDatabase } from '../utils/fixture'
import { TENANT_TABLES } from '../utils/tenant-tables'

const db = setupDatabase()

/** Log tables whose rows may belong to no organization (see docs/decisions/005-citus-distribution.md). */
const ORGANIZATION_OPTIONAL = ['audit_logs', 'security_events']

async function tenantTables(): Promise<string[]> {
  const { rows } = await db.admin.query(`
    select c.oid::regclass::text as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'r' and n.nspname in ('public', 'auth')
      and (c.relname = 'organizations' or exists (
        select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'organization_id' and not a.attisdropped))
    order by 1`)
  return rows.map((r) => r.name)
}

test('the tenant tables are the ones we expect (a new one must join these checks)', async () => {
  expect(await tenantTables()).toEqual([...TENANT_TABLES].sort())
})

test('every tenant table has RLS enabled and forced', async () => {
  const { rows } = await db.admin.query(
    `
    select oid::regclass::text as name, relrowsecurity, relforcerowsecurity from pg_class
    where oid = any($1::regclass[])`,
    [await tenantTables()],
  )
  for (const row of rows) expect(row, row.name).toMatchObject({ relrowsecurity: true, relforcerowsecurity: true })
})

test('for every command, authenticated either has a policy or no privilege at all', async () => {
  for (const table of await tenantTables()) {
    for (const command of ['SELECT', 'INSERT', 'UPDATE', 'DELETE']) {
      const { rows } = await db.admin.query(
        `select has_table_privilege('authenticated', $1, $2) as granted,
                exists (select 1 from pg_policies where (schemaname || '.' || tablename)::regclass = $1::regclass
                          and cmd in ($2, 'ALL') and 'authenticated' = any(roles)) as policy`,
        [table, command],
      )
      const { granted, policy } = rows[0]
      expect(!granted || policy, `${table} ${command}: granted without a policy`).toBe(true)
    }
  }
})

test('audit logs are append-only for every role the app can become', async () => {
  for (const role of await appRoles()) {
    for (const command of ['UPDATE', 'DELETE', 'TRUNCATE']) {
      const { rows } = await db.admin.query(`select has_table_privilege($1, 'audit_logs', $2) as granted`, [role, command])
      expect(rows[0].granted, `${role} ${command}`).toBe(false)
    }
  }
})

async function appRoles(): Promise<string[]> {
  const { rows } = await db.admin.query(`
    with recursive reachable(oid) as (
      select oid from pg_roles where rolname = 'nextsaas_app'
      union
      select m.roleid from pg_auth_members m join reachable r on m.member = r.oid
    )
    select rolname from pg_roles where oid in (select oid from reachable) order by 1`)
  return rows.map((r) => r.rolname)
}

test('no role the app can become is a superuser, bypasses RLS or owns anything', async () => {
  const roles = await appRoles()
  expect(roles).toEqual(['authenticated', 'nextsaas_app', 'nextsaas_auth', 'nextsaas_limiter'])
  const { rows } = await db.admin.query(`select rolname, rolsuper, rolbypassrls, rolinherit from pg_roles where rolname = any($1)`, [roles])
  for (const row of rows) expect(row, row.rolname).toMatchObject({ rolsuper: false, rolbypassrls: false })
  expect(rows.find((r) => r.rolname === 'nextsaas_app').rolinherit).toBe(false)
  const owned = await db.admin.query(`select relname from pg_class c join pg_roles r on r.oid = c.relowner where r.rolname = any($1)`, [roles])
  expect(owned.rows).toEqual([])
})

test('unique keys and foreign keys between tenant tables carry organization_id', async () => {
  const distributed = (await tenantTables()).filter((t) => t !== 'organizations' && !ORGANIZATION_OPTIONAL.includes(t))
  const { rows } = await db.admin.query(
    `select conrelid::regclass::text as table, conname, contype,
            confrelid::regclass::text as references,
            (select array_agg(attname::text) from pg_attribute where attrelid = conrelid and attnum = any(conkey)) as columns
     from pg_constraint where conrelid = any($1::regclass[]) and contype in ('p', 'u', 'f')`,
    [distributed],
  )
  const tenantTargets = new Set(distributed)
  for (const c of rows) {
    // FKs to reference tables (users, the organizations registry) need not carry it.
    if (c.contype === 'f' && !tenantTargets.has(c.references)) continue
    expect(c.columns, `${c.table}.${c.conname}`).toContain('organization_id')
  }
  const indexes = await db.admin.query(
    `select indrelid::regclass::text as table, indexrelid::regclass::text as name,
            (select array_agg(attname::text) from pg_attribute where attrelid = indrelid and attnum = any(indkey)) as columns
     from pg_index where indisunique and indrelid = any($1::regclass[])`,
    [distributed],
  )
  for (const i of indexes.rows) expect(i.columns ?? [], `${i.table}: ${i.name}`).toContain('organization_id')
})

// On Citus (npm run test:citus) the distribution step rewrites the policies
// without sub-selects, which Citus refuses: tests/citus checks those.
test.skipIf(process.env.DATABASE_CITUS === 'true')('policies call auth.uid() through a sub-select, evaluated once per statement', async () => {
  const { rows } = await db.admin.query(`select policyname, qual, with_check from pg_policies`)
  for (const p of rows) {
    const text = `${p.qual ?? ''} ${p.with_check ?? ''}`
    expect(text.replace(/\(\s*SELECT auth\.uid\(\)[^)]*\)/gi, ''), p.policyname).not.toMatch(/auth\.uid\(\)/)
  }
})

test('the security event lists (an organization’s and the operators’) are read in index order, without a sort', async () => {
  const orgId = '00000000-0000-4000-8000-000000000000'
  for (const where of [`where organization_id = '${orgId}'`, '']) {
    await db.admin.query('begin')
    try {
      await db.admin.query('set local enable_sort = off')
      const { rows } = await db.admin.query(`explain (format json) select id from security_events ${where} order by last_seen_at desc, id limit 50`)
      expect(JSON.stringify(rows[0]['QUERY PLAN']), where || 'all organizations').not.toMatch(/"Node Type":"(Incremental )?Sort"/)
    } finally {
      await db.admin.query('rollback')
    }
  }
})
