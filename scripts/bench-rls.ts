/**
 * npm run bench:rls [-- --organizations 10000 --iterations 2000 --warmup 200 --scaling 1000,100000 --json --citus]
 *
 * What row-level security costs when one organization lists its projects:
 * the app's own path (login role, withTenant() as `authenticated` with the
 * owner's claims, policies in play) against the same query run by a superuser
 * (explicit organization_id filter, no RLS), interleaved over random
 * organizations in one run. Both time the whole transaction they need
 * (pool, BEGIN, query, COMMIT) and, separately, the query inside it.
 *
 * Then tenant scaling: the same RLS listing at two sizes of the same shape
 * per organization (--scaling SMALL,LARGE organizations, each with 2
 * workspaces of 5 projects), in two databases queried alternately: does a
 * tenant's p99 grow with the number of other tenants? (`--scaling 0` skips it.)
 *
 * Uses throwaway databases: on DATABASE_URL's server if set, else on an
 * embedded PostgreSQL in a temp folder; they are dropped at the end. With
 * --citus, each is a throwaway Citus cluster instead (a coordinator and two
 * workers, db/citus/throwaway.ts), distributed, and the app in its Citus mode.
 * --json prints one JSON object on the last line.
 */
import os from 'node:os'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { createPool, type DatabasePool } from 'slonik'
import { appDatabaseUrl, parseConfig } from '~/lib/config.server'
import { becomeRole, claimsOf, closePool, getPool, sql, withTenant, type Actor, type Tx } from '~/models/db.server'
import { openCitusThrowawayDatabase } from '../db/citus/throwaway'
import { openThrowawayDatabase } from '../db/throwaway'
import { seedTenants, type SeedShape } from './bench/seed'
import { printJson, summarizeTimes } from './bench/stats'

const { values: args } = parseArgs({
  options: {
    organizations: { type: 'string', default: '10000' },
    iterations: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '200' },
    scaling: { type: 'string', default: '1000,100000' },
    json: { type: 'boolean', default: false },
    citus: { type: 'boolean', default: false },
  },
})
const positiveInt = (name: keyof typeof args) => {
  const value = Number(args[name])
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got ${args[name]}`)
  return value
}
// Before anything reads the configuration: withTenant() sets its claims the Citus way.
if (args.citus) process.env.DATABASE_CITUS = 'true'
const openDatabase = (prefix: string) => (args.citus ? openCitusThrowawayDatabase() : openThrowawayDatabase(prefix))
const shape: SeedShape = { organizations: positiveInt('organizations'), workspacesPerOrganization: 10, projectsPerWorkspace: 10 }
const ITERATIONS = positiveInt('iterations')
const WARMUP = positiveInt('warmup')

const COLUMNS = sql.unsafe`id, name, slug, status, workspace_id, created_at`
const LISTINGS = [
  {
    name: 'first page (limit 50)',
    query: (orgId: string) => sql.unsafe`select ${COLUMNS} from projects where organization_id = ${orgId} order by created_at desc limit 50`,
  },
  {
    name: `full list (${shape.workspacesPerOrganization * shape.projectsPerWorkspace} rows)`,
    query: (orgId: string) => sql.unsafe`select ${COLUMNS} from projects where organization_id = ${orgId} order by created_at desc`,
  },
]
type Query = ReturnType<(typeof LISTINGS)[number]['query']>

/** Runs its callback inside one transaction, the way a variant reaches the data. */
type Transaction = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>

interface Tenant {
  organizationId: string
  actor: Actor
}

interface Variant {
  name: string
  transaction: (tenant: Tenant) => Transaction
}

interface Sample {
  transaction: number
  query: number
  rows: number
}

async function timeOnce(transaction: Transaction, query: Query): Promise<Sample> {
  const started = performance.now()
  const inner = await transaction(async (tx) => {
    const queryStarted = performance.now()
    const rows = await tx.any(query)
    return { query: performance.now() - queryStarted, rows: rows.length }
  })
  return { transaction: performance.now() - started, ...inner }
}

const ms = (value: number) => `${value.toFixed(3)} ms`.padStart(10)
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`
const log = args.json ? () => {} : (line = '') => console.log(line)

function redact(url: string) {
  const parsed = new URL(url)
  if (parsed.password) parsed.password = '***'
  return parsed.toString()
}

/** Seeds the throwaway database and returns each organization with its owner. */
async function seed(databaseUrl: string): Promise<Tenant[]> {
  const admin = new pg.Client({ connectionString: databaseUrl })
  await admin.connect()
  try {
    const { rows: about } = await admin.query(
      `select version() as version, current_setting('shared_buffers') as shared_buffers,
              (select rolsuper or rolbypassrls from pg_roles where rolname = current_user) as bypasses_rls`,
    )
    if (!about[0].bypasses_rls) throw new Error('DATABASE_URL must name a superuser: the baseline runs without RLS')
    log(`RLS benchmark on ${redact(databaseUrl)}`)
    log(`${about[0].version}; shared_buffers ${about[0].shared_buffers}; ${os.cpus().length} CPUs`)
    log()
    const workspaces = shape.organizations * shape.workspacesPerOrganization
    log(
      `Seeding ${shape.organizations.toLocaleString('en')} organizations, ${workspaces.toLocaleString('en')} workspaces, ` +
        `${(workspaces * shape.projectsPerWorkspace).toLocaleString('en')} projects`,
    )
    const started = performance.now()
    await seedTenants(admin, shape, log)
    const vacuumStarted = performance.now()
    await admin.query('vacuum analyze')
    log(`  ${'vacuum analyze'.padEnd(22)} ${''.padStart(14)}  ${seconds(vacuumStarted)}`)
    const { rows: sizes } = await admin.query(
      args.citus
        ? `select pg_size_pretty(citus_table_size('projects')) as heap, pg_size_pretty(citus_total_relation_size('projects') - citus_table_size('projects')) as indexes`
        : `select pg_size_pretty(pg_table_size('projects')) as heap, pg_size_pretty(pg_indexes_size('projects')) as indexes`,
    )
    log(`  seeded in ${seconds(started)}; projects: heap ${sizes[0].heap}, indexes ${sizes[0].indexes}`)
    log()

    const { rows: owners } = await admin.query(`select organization_id, user_id from organization_members where role = 'owner' and status = 'active'`)
    return owners.map((o) => ({
      organizationId: o.organization_id,
      actor: { userId: o.user_id, organizationId: o.organization_id, role: 'owner' },
    }))
  } finally {
    await admin.end()
  }
}

/** Times every listing through every variant, pairs interleaved, on random organizations. */
async function measure(variants: readonly Variant[], tenants: readonly Tenant[], warmUp: (query: Query) => Promise<unknown>) {
  const samples = LISTINGS.map(() => variants.map(() => [] as Sample[]))
  log(
    `Measuring ${ITERATIONS.toLocaleString('en')} iterations per variant after ${WARMUP} warm-up, ` +
      'each on a random organization, variants alternating A B / B A',
  )
  const loadBefore = os.loadavg()[0]!
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    const tenant = tenants[Math.floor(Math.random() * tenants.length)]!
    const order = i % 2 === 0 ? [0, 1] : [1, 0]
    for (const [l, listing] of LISTINGS.entries()) {
      const query = listing.query(tenant.organizationId)
      // An untimed read first brings this organization's pages into shared
      // buffers, so neither variant pays the disk or OS-cache read the other
      // then skips: I/O is the same for both and would only add noise.
      await warmUp(query)
      const pair: Sample[] = []
      for (const v of order) pair[v] = await timeOnce(variants[v]!.transaction(tenant), query)
      if (pair[0]!.rows !== pair[1]!.rows) {
        throw new Error(`variants disagree for ${tenant.organizationId}: ${pair[0]!.rows} vs ${pair[1]!.rows} rows`)
      }
      if (i >= WARMUP) for (const v of order) samples[l]![v]!.push(pair[v]!)
    }
  }
  // Other work on the machine slows both variants alike but widens p95.
  log(`load average (1 min) ${loadBefore.toFixed(2)} before, ${os.loadavg()[0]!.toFixed(2)} after`)
  log()
  return samples
}

function printSummary(variants: readonly Variant[], samples: Sample[][][]) {
  log(`${''.padEnd(52)}${'median'.padStart(10)}${'p95'.padStart(10)}`)
  return LISTINGS.map((listing, l) => {
    log(listing.name)
    const [rls, baseline] = variants.map((variant, v) => {
      const transaction = summarizeTimes(samples[l]![v]!.map((s) => s.transaction))
      const query = summarizeTimes(samples[l]![v]!.map((s) => s.query))
      log(`  ${variant.name.padEnd(34)}transaction   ${ms(transaction.median)}${ms(transaction.p95)}`)
      log(`  ${''.padEnd(34)}query inside  ${ms(query.median)}${ms(query.p95)}`)
      return { transaction: transaction.median, query: query.median }
    }) as [{ transaction: number; query: number }, { transaction: number; query: number }]
    const ratio = { transaction: rls.transaction / baseline.transaction, query: rls.query / baseline.query }
    log(`  ${'ratio RLS / superuser (medians)'.padEnd(34)}transaction ${ratio.transaction.toFixed(2)}   query inside ${ratio.query.toFixed(2)}`)
    log()
    return { listing: listing.name, rls, superuser: baseline, ratio }
  })
}

/**
 * Tenant scaling: the first-page listing through RLS in a small and a large
 * database of the same shape per organization, alternately on random
 * organizations of each; the large one's p99 over the small one's.
 */
async function scaling(sizes: readonly [number, number]) {
  const shapeOf = (organizations: number): SeedShape => ({ organizations, workspacesPerOrganization: 2, projectsPerWorkspace: 5 })
  const sides = []
  for (const organizations of sizes) {
    const database = await openDatabase('nextsaas_bench_scale')
    const admin = new pg.Client({ connectionString: database.url })
    await admin.connect()
    log(`Seeding ${organizations.toLocaleString('en')} organizations × 2 workspaces × 5 projects`)
    await seedTenants(admin, shapeOf(organizations), log)
    await admin.query('vacuum analyze')
    const { rows } = await admin.query(`select organization_id, user_id from organization_members`)
    await admin.end()
    // This size's own database: main() pointed APP_DATABASE_URL at the first benchmark's.
    const url = appDatabaseUrl({ ...parseConfig(process.env), APP_DATABASE_URL: undefined, DATABASE_URL: database.url })
    const appPool = await getPool()
    const pool = await createPool(url, { ...appPool.configuration, connectionUri: url })
    sides.push({ organizations, database, pool, owners: rows as { organization_id: string; user_id: string }[], samples: [] as number[] })
  }
  const listing = LISTINGS[0]!
  log(`Tenant scaling: ${ITERATIONS.toLocaleString('en')} listings per size, sizes alternating, RLS as each organization's owner`)
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    for (const side of i % 2 ? [...sides].reverse() : sides) {
      const owner = side.owners[Math.floor(Math.random() * side.owners.length)]!
      const started = performance.now()
      await side.pool.transaction(async (tx) => {
        await tx.query(sql.unsafe`${becomeRole('authenticated', claimsOf({ userId: owner.user_id }))}`)
        return tx.any(listing.query(owner.organization_id))
      })
      if (i >= WARMUP) side.samples.push(performance.now() - started)
    }
  }
  const [small, large] = sides.map((side) => ({ organizations: side.organizations, ...summarizeTimes(side.samples) }))
  for (const side of [small!, large!])
    log(`  ${side.organizations.toLocaleString('en').padStart(9)} organizations   median ${ms(side.median)}  p99 ${ms(side.p99)}`)
  const p99Ratio = large!.p99 / small!.p99
  log(`  p99 ratio ${p99Ratio.toFixed(2)} (target ≤ 1.2)`)
  log()
  for (const side of sides) {
    await side.pool.end()
    await side.database.dispose()
  }
  return { small, large, p99Ratio }
}

async function printPlans(variants: readonly Variant[], tenant: Tenant) {
  const listing = LISTINGS[0]!
  const explain = sql.unsafe`explain (analyze, buffers) ${listing.query(tenant.organizationId)}`
  for (const variant of variants) {
    log(`EXPLAIN (ANALYZE, BUFFERS) ${listing.name}, organization ${tenant.organizationId}: ${variant.name}`)
    const plan = await variant.transaction(tenant)((tx) => tx.anyFirst(explain))
    for (const line of plan) log(`  ${String(line)}`)
    log()
  }
}

async function main() {
  const database = await openDatabase('nextsaas_bench')
  let superPool: DatabasePool | undefined
  database.onDispose(closePool)
  database.onDispose(() => superPool?.end())

  try {
    const config = parseConfig(process.env)
    const tenants = await seed(database.url)

    // withTenant() reads the app's configuration on first use: point its pool
    // at the throwaway database, logging in as the app role like the server does.
    process.env.APP_DATABASE_URL = appDatabaseUrl({ ...config, APP_DATABASE_URL: undefined, DATABASE_URL: database.url })
    // Same client settings as the app's pool (interceptors, type parsers,
    // pool size, reset on release): only the login and RLS differ.
    const appPool = await getPool()
    const baseline = (superPool = await createPool(database.url, { ...appPool.configuration, connectionUri: database.url }))
    const variants: Variant[] = [
      { name: 'RLS: withTenant() as owner', transaction: (tenant) => (fn) => withTenant(tenant.actor, fn) },
      { name: 'superuser, no RLS', transaction: () => (fn) => baseline.transaction(fn) },
    ]

    const samples = await measure(variants, tenants, (query) => baseline.query(query))
    const listings = printSummary(variants, samples)
    await printPlans(variants, tenants[Math.floor(Math.random() * tenants.length)]!)
    const sizes = args.scaling === '0' ? null : (args.scaling.split(',').map(Number) as [number, number])
    if (sizes && (sizes.length !== 2 || !sizes.every((n) => Number.isInteger(n) && n > 0))) throw new Error('--scaling takes SMALL,LARGE (or 0)')
    const tenantScaling = sizes ? await scaling(sizes) : null
    if (args.json) printJson({ organizations: shape.organizations, listings, tenantScaling })
  } finally {
    await database.dispose()
  }
}

await main()
