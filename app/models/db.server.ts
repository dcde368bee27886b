import { AsyncLocalStorage } from 'node:async_hooks'
import { channel } from 'node:diagnostics_channel'
import {
  createPool,
  createTypeParserPreset,
  sql,
  SchemaValidationError,
  type DatabasePool,
  type DatabaseTransactionConnection,
  type Interceptor,
  type Query,
  type QueryContext,
} from 'slonik'
import { appDatabaseUrl, getConfig, inReplicaRegion, replicaDatabaseUrl, type Config } from '~/lib/config.server'
import type { Client } from '~/lib/request-context'
import { createDriver } from './driver.server'

export { sql }
export type Tx = DatabaseTransactionConnection

/** Slonik 47 does not check `sql.type(schema)` results by itself. */
const validateRows: Interceptor = {
  name: 'validateRows',
  transformRow: (context, query, row) => {
    if (!context.resultParser) return row
    const result = context.resultParser.safeParse(row)
    if (!result.success) throw new SchemaValidationError(query, row, result.error.issues)
    return result.data
  },
}

/**
 * The query log: with a subscriber (the HTTP layer subscribes at
 * LOG_LEVEL=debug), each statement is published on this named channel with
 * its duration and the types of its parameters, never their values. A
 * channel, not a logger, because models have no request: the subscriber
 * logs it on the logger of the request that ran it (its traceId, user and
 * organization), and the Remix build's copy of this module reaches the same
 * channel by name.
 */
export const SQL_CHANNEL = 'nextsaas:sql'
const statements = channel(SQL_CHANNEL)

export interface StatementEvent {
  sql: string
  /** Each parameter's type (`string`, `number`, `null`…): values may be secrets or personal data. */
  parameters: string[]
  durationMs: number
  rows?: number
  error?: string
}

/** Slonik stamps a query with process.hrtime.bigint() (a number in some versions: performance.now()). */
const elapsedMs = (since: bigint | number) => (typeof since === 'bigint' ? Number(process.hrtime.bigint() - since) / 1e6 : performance.now() - since)

function publish(context: QueryContext, query: Query, outcome: Pick<StatementEvent, 'rows' | 'error'>) {
  const event: StatementEvent = {
    sql: query.sql.replace(/\s+/g, ' ').trim().slice(0, 2000),
    parameters: query.values.map((value) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value)),
    durationMs: elapsedMs(context.queryInputTime),
    ...outcome,
  }
  statements.publish(event)
}

const logStatements: Interceptor = {
  name: 'logStatements',
  afterQueryExecution: (context, query, result) => {
    if (statements.hasSubscribers) publish(context, query, { rows: result.rowCount })
    return null
  },
  queryExecutionError: (context, query, error) => {
    if (statements.hasSubscribers) publish(context, query, { error: error.message })
    return null
  },
}

/** Dates as Date, counts as number (they stay far below 2^53). */
const OVERRIDDEN = new Set(['timestamptz', 'timestamp', 'int8'])
const typeParsers = [
  ...createTypeParserPreset().filter((p) => !OVERRIDDEN.has(p.name)),
  { name: 'timestamptz', parse: (value: string) => new Date(value) },
  { name: 'timestamp', parse: (value: string) => new Date(`${value}Z`) },
  { name: 'int8', parse: (value: string) => Number.parseInt(value, 10) },
]

const poolOptions = (cfg: Config) => ({
  driverFactory: createDriver(),
  maximumPoolSize: cfg.DATABASE_POOL_SIZE,
  interceptors: [validateRows, logStatements],
  typeParsers,
  captureStackTrace: false,
  // Role and claims are transaction-local (set_config(…, true)), so the
  // default DISCARD ALL on release would only cost a round trip and drop
  // cached plans. (Leaving it undefined stalls releases in Slonik 47.)
  resetConnection: async () => {},
})

/**
 * Where a piece of work reads: `replica` only for requests in a replica
 * region (see readFromReplica); `refusedWrite` notes that the replica
 * refused a write of that request.
 */
interface ReadTarget {
  target: 'replica' | 'primary'
  refusedWrite: boolean
}

// One pool of each kind per process, and one read target, on globalThis: the
// HTTP layer (recording security events) and the Remix build each carry
// their own copy of this module, and two pools would double the connections
// a process holds.
const globalForPool = globalThis as unknown as {
  __nextsaasPool?: Promise<DatabasePool>
  __nextsaasReplicaPool?: Promise<DatabasePool>
  __nextsaasReadTarget?: AsyncLocalStorage<ReadTarget>
}
const readTarget = (globalForPool.__nextsaasReadTarget ??= new AsyncLocalStorage<ReadTarget>())

/** The primary's pool; it logs in as the app role, which holds nothing outside withTenant(). */
function primaryPool(): Promise<DatabasePool> {
  globalForPool.__nextsaasPool ??= createPool(appDatabaseUrl(getConfig()), poolOptions(getConfig()))
  return globalForPool.__nextsaasPool
}

/** SQLSTATE read_only_sql_transaction: what a standby answers to a write. */
const READ_ONLY = '25006'

/** A write the replica refused is noted on the request, which then replays to the primary (server/regions.server.ts). */
const noteRefusedWrite: Interceptor = {
  name: 'noteRefusedWrite',
  queryExecutionError: (_context, _query, error) => {
    const code = (error as { code?: string }).code ?? (error.cause as { code?: string } | undefined)?.code
    const work = readTarget.getStore()
    if (code === READ_ONLY && work) work.refusedWrite = true
    return null
  },
}

/**
 * The replica's pool, in a replica region: the same app login on the
 * region's read-only standby, named `nextsaas-replica` in pg_stat_activity.
 * A replica that is down fails a request within two seconds, not five.
 */
function replicaPool(): Promise<DatabasePool> {
  if (!globalForPool.__nextsaasReplicaPool) {
    const url = new URL(replicaDatabaseUrl(getConfig()))
    url.searchParams.set('application_name', 'nextsaas-replica')
    const options = poolOptions(getConfig())
    globalForPool.__nextsaasReplicaPool = createPool(url.toString(), {
      ...options,
      interceptors: [...options.interceptors, noteRefusedWrite],
      connectionTimeout: 2000,
    })
  }
  return globalForPool.__nextsaasReplicaPool
}

/**
 * The pool this work uses: the replica's inside a replica-region request
 * (readFromReplica), the primary's everywhere else — start-up, work outside
 * requests, and writes a read sends on (onPrimary).
 */
export function getPool(): Promise<DatabasePool> {
  return readsFromReplica() ? replicaPool() : primaryPool()
}

/**
 * Runs `next` (a request in a replica region) with its reads on the replica.
 * Outside a replica region it only calls `next`: one region reads the primary.
 */
export function readFromReplica<T>(next: () => T): T {
  return inReplicaRegion(getConfig()) ? readTarget.run({ target: 'replica', refusedWrite: false }, next) : next()
}

/** Whether work here reads from a replica (it must then write nothing there). */
export function readsFromReplica(): boolean {
  return readTarget.getStore()?.target === 'replica'
}

/**
 * Whether the replica refused a write of this request: a GET that writes
 * without being known to (server/regions.server.ts replays those before any
 * work). The request is then replayed to the primary, and the log says so.
 */
export function replicaRefusedWrite(): boolean {
  return readTarget.getStore()?.refusedWrite === true
}

/** Runs `fn` against the primary: the few writes that a read in a replica region sends there (docs/decisions/017-regions.md). */
export function onPrimary<T>(fn: () => T): T {
  return readTarget.run({ target: 'primary', refusedWrite: false }, fn)
}

/** The pool reads use outside requests too (replica lag, readiness): the replica's in a replica region. */
export function readPool(): Promise<DatabasePool> {
  return inReplicaRegion(getConfig()) ? replicaPool() : primaryPool()
}

/** A connection pool as the metrics see it: its connections now, and whether its database answers. */
export interface PoolProbe {
  stats(): Promise<PoolStats | null>
  ping(): Promise<void>
}
export interface PoolStats {
  inUse: number
  idle: number
  waiting: number
  max: number
}

/** The Slonik pool's probe (no stats before its first query opened it). */
export function appPoolProbe(): PoolProbe {
  return {
    async stats() {
      const pool = inReplicaRegion(getConfig()) ? globalForPool.__nextsaasReplicaPool : globalForPool.__nextsaasPool
      if (!pool) return null
      const state = (await pool).state()
      return { inUse: state.acquiredConnections, idle: state.idleConnections, waiting: state.waitingClients, max: getConfig().DATABASE_POOL_SIZE }
    },
    async ping() {
      await (await readPool()).query(sql.unsafe`select 1`)
    },
  }
}

export async function closePool() {
  const pools = [globalForPool.__nextsaasPool, globalForPool.__nextsaasReplicaPool]
  globalForPool.__nextsaasPool = undefined
  globalForPool.__nextsaasReplicaPool = undefined
  await Promise.all(pools.map(async (pool) => pool && (await pool).end()))
}

/**
 * A transaction that one request holds open for one caller (see
 * request-transaction.server.ts): withTenant() joins it instead of opening
 * a transaction of its own when the actor is that caller.
 */
export interface RequestScope {
  covers(actor: Actor): boolean
  /** Runs `fn` in the request's transaction; `fallback` when that transaction has ended (a failure rolled it back). */
  run<T>(fn: (tx: Tx) => Promise<T>, fallback: () => Promise<T>): Promise<T>
}

/** Who is acting, as the database and the audit log see them (with the request's client, traceId and counters). */
export interface Actor extends Client {
  userId: string
  organizationId?: string
  role?: string
  /** A personal access token's scope: the database narrows the actor to it too. */
  token?: { organizationId: string | null; permissions: readonly string[] | null }
  /** The request's own transaction, when it has one for this caller. */
  request?: RequestScope
}

/** An actor inside one organization: what every tenant model function takes. */
export type TenantActor = Actor & { organizationId: string }

type DbRole = 'authenticated' | 'nextsaas_auth'

/**
 * The JWT-style claims the policies read: the subject, and a token's scope,
 * which every permission function intersects with (auth.token_allows).
 */
export function claimsOf(actor: Pick<Actor, 'userId' | 'token'>): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: actor.userId }
  if (actor.token?.organizationId) claims.token_org = actor.token.organizationId
  if (actor.token?.permissions) claims.token_permissions = actor.token.permissions
  return claims
}

/**
 * The statement that becomes `role` with `claims`, before anything else in
 * its transaction. Without parameters, so that the driver sends it together
 * with START TRANSACTION: a transaction costs one round trip to begin.
 *
 * On Citus (DATABASE_CITUS) the claims are a `SET LOCAL`, which Citus
 * replays on each worker connection of the transaction once
 * citus.propagate_set_commands is 'local' (set_config never reaches the
 * workers). It replays the text of the query that held the SET, whole: so
 * the SETs run inside a DO block, where each is a query of its own, and the
 * role stays a set_config, never replayed (Citus opens worker connections
 * as the current user already; a replayed role would also follow the
 * connections that definer functions open as their owner).
 */
export function becomeRole(role: DbRole, claims: Record<string, unknown>) {
  const json = JSON.stringify(claims)
  if (!getConfig().DATABASE_CITUS)
    return sql.fragment`select set_config('role', ${sql.literalValue(role)}, true), set_config('request.jwt.claims', ${sql.literalValue(json)}, true)`
  // The literal sits inside the block's dollar quotes, which a `$` could end.
  if (json.includes('$')) throw new Error('claims must not contain "$"')
  return sql.fragment`DO $become$ BEGIN
      PERFORM pg_catalog.set_config('role', ${sql.literalValue(role)}, true);
      ${propagateSettings};
      SET LOCAL request.jwt.claims = ${sql.literalValue(json)};
    END $become$`
}

/** Citus passes the transaction's SET LOCAL commands on to the workers it opens connections to. */
export const propagateSettings = sql.fragment`SET LOCAL citus.propagate_set_commands = 'local'`

async function inRole<T>(role: DbRole, claims: Record<string, unknown>, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const pool = await getPool()
  return pool.transaction(async (tx) => {
    await tx.query(sql.unsafe`${becomeRole(role, claims)}`)
    return fn(tx)
  })
}

/**
 * Runs `fn` in one transaction as `authenticated`, with the actor's claims;
 * every row it touches passes the tenant policies. Inside a request that
 * holds a transaction for this actor, `fn` runs there.
 */
export function withTenant<T>(actor: Actor, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const own = () => inRole('authenticated', claimsOf(actor), fn)
  return actor.request?.covers(actor) ? actor.request.run(fn, own) : own()
}

/** The auth service's own transaction: accounts and credentials before anyone is signed in. */
export function withAuthService<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  return inRole('nextsaas_auth', {}, fn)
}
