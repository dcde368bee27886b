/**
 * The schema as Citus holds it (npm run test:citus): every tenant table is
 * placed as decision 005 says, several organizations' rows are spread over
 * both workers, a tenant's own page and API queries are router queries on
 * one worker, and the few queries that span organizations are the ones the
 * decision lists.
 */
import { beforeAll, expect, test } from 'vitest'
import { sql, withTenant, type Tx } from '~/models/db.server'
import { PROJECT_COLUMNS } from '~/models/project.server'
import { membershipQuery, organizationWhere } from '~/models/tenant.server'
import { WORKSPACE_COLUMNS } from '~/models/workspace.server'
import { COORDINATOR_TENANT_TABLES, DISTRIBUTED_TABLES, REFERENCE_TABLES } from '../../db/citus/distribute'
import { setupDatabase } from '../utils/fixture'
import { TENANT_TABLES } from '../utils/tenant-tables'
import { createTenant } from '../utils/tenants'

const db = setupDatabase()
const ORGANIZATIONS = 8
let tenants: Awaited<ReturnType<typeof createTenant>>[]

beforeAll(async () => {
  tenants = []
  for (let i = 0; i < ORGANIZATIONS; i++) tenants.push(await createTenant(`Spread ${i}`))
})

const unqualified = (table: string) => table.replace(/^public\./, '')

async function citusTables() {
  const { rows } = await db.admin.query<{ name: string; type: string; column: string; colocation: number }>(
    `select table_name::text as name, citus_table_type as type, distribution_column as column, colocation_id as colocation from citus_tables`,
  )
  return new Map(rows.map((row) => [row.name, row]))
}

test('every tenant table is distributed by organization_id and co-located, or placed as decision 005 says', async () => {
  const tables = await citusTables()
  const placed = [...DISTRIBUTED_TABLES, ...REFERENCE_TABLES, ...COORDINATOR_TENANT_TABLES].map(unqualified)
  for (const table of TENANT_TABLES) expect(placed, `${table} has no placement`).toContain(table)

  const colocations = new Set<number>()
  for (const table of DISTRIBUTED_TABLES.map(unqualified)) {
    expect(tables.get(table), table).toMatchObject({ type: 'distributed', column: 'organization_id' })
    colocations.add(tables.get(table)!.colocation)
  }
  expect(colocations.size, 'one co-location group').toBe(1)
  expect(tables.get('organizations')).toMatchObject({ type: 'reference' })
  expect(tables.get('auth.users')).toMatchObject({ type: 'reference' })
})

test('no tenant table is left local but the logs (and the audit chain) the decision keeps on the coordinator', async () => {
  const tables = await citusTables()
  const local = TENANT_TABLES.filter((table) => tables.get(table)?.type !== 'distributed' && tables.get(table)?.type !== 'reference')
  expect(local.sort()).toEqual(COORDINATOR_TENANT_TABLES.map(unqualified).sort())
})

test("the organizations' rows are spread over both workers, each organization's rows on one", async () => {
  const { rows } = await db.admin.query<{ organization: string; ports: number[] }>(
    `select o.id as organization, array_agg(distinct s.nodeport) as ports
     from organizations o
     cross join unnest($2::regclass[]) as t(tbl)
     join citus_shards s on s.table_name = t.tbl and s.shardid = get_shard_id_for_distribution_column(t.tbl, o.id)
     where o.id = any($1::uuid[])
     group by o.id`,
    [tenants.map((t) => t.org.id), DISTRIBUTED_TABLES],
  )
  expect(rows).toHaveLength(ORGANIZATIONS)
  for (const row of rows) expect(row.ports, 'co-located: one worker per organization').toHaveLength(1)
  const { rows: workers } = await db.admin.query<{ port: number }>(`select nodeport as port from pg_dist_node where shouldhaveshards`)
  expect(new Set(rows.map((row) => row.ports[0]))).toEqual(new Set(workers.map((w) => w.port)))
})

/** How many shard tasks Citus plans for a query, read from its EXPLAIN. */
async function taskCount(tx: Tx, query: ReturnType<typeof sql.fragment>): Promise<number> {
  const plan = await tx.oneFirst(sql.unsafe`explain (format json) ${query}`)
  const text = JSON.stringify(plan)
  const counts = [...text.matchAll(/"Task Count":\s*(\d+)/g)].map((m) => Number(m[1]))
  if (!counts.length) throw new Error(`not a distributed plan: ${text.slice(0, 500)}`)
  return Math.max(...counts)
}

test("a tenant's page and API queries are router queries: one task, on one worker", async () => {
  const [tenant] = tenants
  const org = tenant!.org.id
  const ws = tenant!.workspaceId
  const queries = {
    'opening: membership by organization id (API)': membershipQuery(organizationWhere({ id: org })!),
    'workspace list': sql.fragment`select ${WORKSPACE_COLUMNS},
        (select count(*) from projects p where p.organization_id = ${org} and p.workspace_id = w.id) as project_count
      from workspaces w where w.organization_id = ${org} order by w.name limit 20`,
    'project list': sql.fragment`select ${PROJECT_COLUMNS} from projects p
      where p.organization_id = ${org} and p.workspace_id = ${ws} order by p.status = 'archived', p.name limit 20`,
    'member list': sql.fragment`select m.id, u.name, u.email, r.name from organization_members m
      join auth.users u on u.id = m.user_id join roles r on r.organization_id = m.organization_id and r.key = m.role
      where m.organization_id = ${org} order by lower(u.name) limit 20`,
    'role list': sql.fragment`select key, name, permissions from roles where organization_id = ${org} order by name`,
    'pending invitations': sql.fragment`select id, email, role from invitations where organization_id = ${org} and accepted_at is null`,
    'project update': sql.fragment`update projects set name = name where organization_id = ${org} and id = ${tenant!.workspaceId}`,
  }
  await withTenant(tenant!.actor, async (tx) => {
    for (const [name, query] of Object.entries(queries)) expect(await taskCount(tx, query), name).toBe(1)
  })
})

test('the deliberate multi-shard queries are the ones decision 005 lists', async () => {
  const [tenant] = tenants
  await withTenant(tenant!.actor, async (tx) => {
    // Pages name their organization by slug: the membership is read on every shard.
    const bySlug = membershipQuery(organizationWhere({ slug: tenant!.org.slug })!)
    expect(await taskCount(tx, bySlug)).toBeGreaterThan(1)
    // The switcher: the caller's organizations, wherever they live.
    const switcher = sql.fragment`select o.slug from organizations o join organization_members om on om.organization_id = o.id
      where om.user_id = auth.uid() and om.status = 'active'`
    expect(await taskCount(tx, switcher)).toBeGreaterThan(1)
  })
})

test('no policy on a Citus table holds a subquery (Citus refuses them there)', async () => {
  const { rows } = await db.admin.query(
    `select tablename, policyname, qual, with_check from pg_policies p
     where schemaname in ('public', 'auth') and exists (select 1 from pg_dist_partition where logicalrelid = format('%I.%I', p.schemaname, p.tablename)::regclass)`,
  )
  expect(rows.map((p) => p.tablename)).toEqual(expect.arrayContaining(['organizations', 'projects', 'api_tokens']))
  for (const p of rows) expect(`${p.qual ?? ''} ${p.with_check ?? ''}`, `${p.tablename}.${p.policyname}`).not.toMatch(/\bselect\b/i)
})
