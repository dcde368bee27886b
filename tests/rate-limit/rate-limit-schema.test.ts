/**
 * The database side of rate limiting holds no more power than it needs: the
 * limiter's role touches its one table (and cannot create any), and the
 * definer function for organization limits sets that one key, for settings:manage.
 */
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { appDatabaseUrl, getConfig } from '~/lib/config.server'
import { sql, withTenant } from '~/models/db.server'
import { setupDatabase } from '../utils/fixture'
import { addMember, createTenant } from '../utils/tenants'

const db = setupDatabase()
let limiter: pg.Client
beforeAll(async () => {
  limiter = new pg.Client({ connectionString: appDatabaseUrl(getConfig()), options: '-c role=nextsaas_limiter' })
  await limiter.connect()
})
afterAll(() => limiter.end())

test('the counters table has the columns RateLimiterPostgres writes', async () => {
  const { rows } = await db.admin.query(`
    select column_name, data_type, character_maximum_length as length, is_nullable
    from information_schema.columns where table_schema = 'rate_limit' and table_name = 'counters' order by ordinal_position`)
  expect(rows).toEqual([
    { column_name: 'key', data_type: 'character varying', length: 255, is_nullable: 'NO' },
    { column_name: 'points', data_type: 'integer', length: null, is_nullable: 'NO' },
    { column_name: 'expire', data_type: 'bigint', length: null, is_nullable: 'YES' },
  ])
})

test('nextsaas_limiter: no login, no bypass, owns nothing, and holds only the counters table', async () => {
  const role = await db.admin.query(`select rolcanlogin, rolsuper, rolbypassrls, rolinherit from pg_roles where rolname = 'nextsaas_limiter'`)
  expect(role.rows).toEqual([{ rolcanlogin: false, rolsuper: false, rolbypassrls: false, rolinherit: false }])
  const grants = await db.admin.query(`
    select table_schema || '.' || table_name as t, string_agg(privilege_type, ',' order by privilege_type) as p
    from information_schema.role_table_grants where grantee = 'nextsaas_limiter' group by 1`)
  expect(grants.rows).toEqual([{ t: 'rate_limit.counters', p: 'DELETE,INSERT,SELECT,UPDATE' }])
  const owned = await db.admin.query(
    `select count(*)::int as n from pg_class c join pg_roles r on r.oid = c.relowner where r.rolname = 'nextsaas_limiter'`,
  )
  expect(owned.rows[0].n).toBe(0)
})

test('acting as nextsaas_limiter, the app counts but can read nothing else and create nothing', async () => {
  await limiter.query(`insert into rate_limit.counters values ('probe', 1, null) on conflict (key) do update set points = 1`)
  for (const statement of [
    'select * from auth.users',
    'select * from auth.passwords',
    'select * from public.organizations',
    'select * from public.audit_logs',
    'create table public.sneaky (id int)',
    'create table rate_limit.sneaky (id int)',
    `select set_organization_rate_limits(gen_random_uuid(), '{}')`,
    `select record_security_event(null, '/login', 't', null, null, '[]')`,
  ]) {
    await expect(limiter.query(statement), statement).rejects.toMatchObject({ code: '42501' })
  }
})

test("limits change only with settings:manage in that very organization, and only the limits' key", async () => {
  const a = await createTenant('LimitsA')
  const b = await createTenant('LimitsB')
  await addMember(db.admin, a.org.id, b.user.id, 'member')
  const set = (actor: typeof a.actor, organizationId: string) =>
    withTenant(actor, (tx) => tx.query(sql.unsafe`select set_organization_rate_limits(${organizationId}, '{"userRequests": 1}')`))

  await expect(set({ ...b.actor, organizationId: a.org.id, role: 'member' }, a.org.id), 'a plain member').rejects.toThrow(/settings:manage/)
  await expect(set(b.actor, a.org.id), "another organization's owner").rejects.toThrow(/settings:manage/)
  await set(a.actor, a.org.id)
  const { rows } = await db.admin.query(`select name, settings from organizations where id = $1`, [a.org.id])
  expect(rows).toEqual([{ name: 'LimitsA Org', settings: { rateLimits: { userRequests: 1 } } }])
})
