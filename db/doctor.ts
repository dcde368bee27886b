/**
 * `npm run doctor`: a deployment checked from the inside, one verdict per
 * line. Catalog checks use the privileged DATABASE_URL; the app login is
 * checked by logging in as it. See docs/operations.md.
 */
import { readdir } from 'node:fs/promises'
import { Redis } from 'ioredis'
import pg from 'pg'
import { appDatabaseUrl, connectionsPerProcess, parseConfig, rateLimitStore, type Config } from '~/lib/config.server'
import { MIGRATIONS_DIR } from './migrate'

export type Verdict = 'ok' | 'warn' | 'fail' | 'skip'
export interface CheckResult {
  check: string
  verdict: Verdict
  detail: string
}

/** Replica lag and clock skew that warn, and that fail (the ReplicaLag alert fires at 30 s). */
const LAG_SECONDS = { warn: 5, fail: 30 }
const SKEW_SECONDS = { warn: 1, fail: 5 }
/** Roles the app login may be a member of: the ones each transaction becomes. */
const APP_MEMBERSHIPS = ['authenticated', 'nextsaas_auth', 'nextsaas_limiter']

const result = (check: string, verdict: Verdict, detail: string): CheckResult => ({ check, verdict, detail })
const message = (error: unknown) => (error instanceof Error ? error.message : String(error))

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  await client.connect()
  return client
}

async function migrations(db: pg.Client): Promise<CheckResult> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).map((f) => f.replace(/\.sql$/, ''))
  const table = await db.query(`select to_regclass('public.pgmigrations') is not null as present`)
  const applied = table.rows[0].present ? (await db.query<{ name: string }>('select name from pgmigrations')).rows.map((r) => r.name) : []
  const pending = files.filter((f) => !applied.includes(f))
  const unknown = applied.filter((name) => !files.includes(name))
  if (pending.length) return result('migrations', 'fail', `${pending.length} pending: ${pending.join(', ')} (npm run migrate:up)`)
  if (unknown.length) return result('migrations', 'warn', `applied but not in this release: ${unknown.join(', ')} (a newer release ran here?)`)
  return result('migrations', 'ok', `${files.length} applied, none pending`)
}

/** The app's login: no attributes that bypass RLS, owns nothing, no grants of its own, only the expected roles — and it cannot read a table by itself. */
async function appLogin(db: pg.Client, config: Config): Promise<CheckResult> {
  const login = decodeURIComponent(new URL(appDatabaseUrl(config)).username)
  const { rows } = await db.query(
    `select r.rolsuper, r.rolbypassrls, r.rolinherit, r.rolcreaterole, r.rolcreatedb,
            (select count(*) from pg_class where relowner = r.oid) + (select count(*) from pg_proc where proowner = r.oid)
              + (select count(*) from pg_namespace where nspowner = r.oid) as owned,
            (select count(*) from information_schema.role_table_grants where grantee = r.rolname) as grants,
            array(select g.rolname::text from pg_auth_members m join pg_roles g on g.oid = m.roleid where m.member = r.oid order by 1) as member_of
     from pg_roles r where r.rolname = $1`,
    [login],
  )
  const role = rows[0]
  if (!role) return result('app login', 'fail', `role ${login} does not exist (npm run migrate:up)`)
  const problems = [
    ...(['rolsuper', 'rolbypassrls', 'rolinherit', 'rolcreaterole', 'rolcreatedb'] as const).filter((a) => role[a]).map((a) => a.replace('rol', '')),
    ...(Number(role.owned) ? [`owns ${role.owned} objects`] : []),
    ...(Number(role.grants) ? [`holds ${role.grants} table privileges`] : []),
    ...(role.member_of as string[]).filter((r) => !APP_MEMBERSHIPS.includes(r)).map((r) => `member of ${r}`),
  ]
  if (problems.length) return result('app login', 'fail', `${login}: ${problems.join(', ')}`)
  let app: pg.Client | undefined
  try {
    app = await connect(appDatabaseUrl(config))
    const read = await app.query('select count(*) from public.organizations').then(
      () => 'read organizations outside a transaction role',
      (error: { code?: string }) => (error.code === '42501' ? null : message(error)),
    )
    if (read) return result('app login', 'fail', `${login}: ${read}`)
  } catch (error) {
    return result('app login', 'fail', `${login} cannot log in: ${message(error)}`)
  } finally {
    await app?.end()
  }
  return result('app login', 'ok', `${login} holds nothing, cannot bypass RLS; reading a table by itself is refused`)
}

async function rowLevelSecurity(db: pg.Client): Promise<CheckResult> {
  const { rows } = await db.query<{ name: string; enabled: boolean; forced: boolean }>(
    `select n.nspname || '.' || c.relname as name, c.relrowsecurity as enabled, c.relforcerowsecurity as forced
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p') and n.nspname in ('public', 'auth') and c.relname <> 'pgmigrations'
     order by 1`,
  )
  const loose = rows.filter((r) => !r.enabled || !r.forced).map((r) => `${r.name} (${r.enabled ? 'not forced' : 'off'})`)
  if (loose.length) return result('row-level security', 'fail', `not enabled and forced: ${loose.join(', ')}`)
  return result('row-level security', 'ok', `enabled and forced on all ${rows.length} tables of public and auth`)
}

async function redis(config: Config): Promise<CheckResult> {
  if (!config.REDIS_URL) {
    const store = config.RATE_LIMIT_ENABLED ? rateLimitStore(config) : 'disabled'
    return result('redis', 'skip', `REDIS_URL unset: rate limits in ${store === 'postgres' ? 'PostgreSQL' : store}`)
  }
  const client = new Redis(config.REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, enableOfflineQueue: false })
  client.on('error', () => {})
  try {
    const started = performance.now()
    await client.connect()
    await client.ping()
    return result('redis', 'ok', `PING answered in ${Math.round(performance.now() - started)} ms`)
  } catch (error) {
    return result('redis', 'fail', `${message(error)}: limits fall back to each process's memory`)
  } finally {
    client.disconnect()
  }
}

function mail(config: Config): CheckResult {
  if (config.MAIL_API_URL) return result('mail provider', 'ok', `${new URL(config.MAIL_API_URL).host}, from ${config.MAIL_FROM}`)
  if (config.NODE_ENV === 'production') return result('mail provider', 'fail', 'MAIL_API_URL unset: invitations and account links cannot be sent')
  return result('mail provider', 'ok', 'none outside production: messages go to the dev mailbox')
}

/** How far behind its primary the database the app reads from is (the app's own login asks). */
async function replicaLag(config: Config): Promise<CheckResult> {
  const app = await connect(appDatabaseUrl(config))
  try {
    const { rows } = await app.query<{ standby: boolean; lag: number | null }>(
      `select pg_is_in_recovery() as standby,
              case when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
                   else extract(epoch from now() - pg_last_xact_replay_timestamp()) end::float8 as lag`,
    )
    const { standby, lag } = rows[0]!
    if (!standby) return result('replica lag', 'ok', 'the app reads from the primary')
    const seconds = lag ?? 0
    const verdict = seconds > LAG_SECONDS.fail ? 'fail' : seconds > LAG_SECONDS.warn ? 'warn' : 'ok'
    return result('replica lag', verdict, `the app's database is a standby ${seconds.toFixed(1)} s behind`)
  } finally {
    await app.end()
  }
}

/** This machine's clock against the database's, the round trip halved. */
async function clockSkew(db: pg.Client): Promise<CheckResult> {
  const before = Date.now()
  const { rows } = await db.query<{ now: number }>('select extract(epoch from clock_timestamp())::float8 * 1000 as now')
  const after = Date.now()
  const skew = (rows[0]!.now - (before + after) / 2) / 1000
  const verdict = Math.abs(skew) > SKEW_SECONDS.fail ? 'fail' : Math.abs(skew) > SKEW_SECONDS.warn ? 'warn' : 'ok'
  return result('clock skew', verdict, `${skew >= 0 ? 'database ahead' : 'database behind'} by ${Math.abs(skew).toFixed(3)} s`)
}

/** Pool sizes against max_connections: one process must fit, and two (a rolling deploy overlaps old and new) should. */
async function connections(db: pg.Client, config: Config, processes: number | undefined): Promise<CheckResult> {
  const { rows } = await db.query<{ max: number; reserved: number; used: number }>(
    `select current_setting('max_connections')::int as max, current_setting('superuser_reserved_connections')::int as reserved,
            (select count(*)::int from pg_stat_activity where backend_type = 'client backend') as used`,
  )
  const { max, reserved, used } = rows[0]!
  const available = max - reserved
  const each = connectionsPerProcess(config)
  const detail = `each process opens up to ${each} (pool ${config.DATABASE_POOL_SIZE} + sessions + limiter + change listener) of ${available} (max_connections ${max} − ${reserved} reserved; ${used} in use now)`
  const needed = each * (processes ?? 2)
  if (each > available || (processes !== undefined && needed > available)) {
    return result('connections', 'fail', `${detail}: ${processes ?? 1} processes need ${processes ? needed : each}`)
  }
  if (needed > available) return result('connections', 'warn', `${detail}: only one process fits, a rolling deploy needs two`)
  return result('connections', 'ok', `${detail}: ${Math.floor(available / each)} processes fit`)
}

/**
 * Every check, in order. `env` is read as the app reads it; a check that
 * cannot run (no database) is skipped, never passed.
 */
export async function runDoctor(env: Record<string, string | undefined>, options: { processes?: number } = {}): Promise<CheckResult[]> {
  let config: Config
  try {
    config = parseConfig(env as NodeJS.ProcessEnv)
  } catch (error) {
    return [
      result(
        'configuration',
        'fail',
        message(error)
          .replace(/^Invalid configuration:\s*/, '')
          .replace(/\s*\n\s*/g, '; '),
      ),
    ]
  }
  const results = [result('configuration', 'ok', `NODE_ENV=${config.NODE_ENV}, every variable valid`)]
  const attempt = async (check: string, run: () => Promise<CheckResult>) => {
    try {
      results.push(await run())
    } catch (error) {
      results.push(result(check, 'fail', message(error)))
    }
  }
  if (!config.DATABASE_URL) {
    results.push(result('database', 'fail', 'DATABASE_URL is not set'))
    return results
  }
  let db: pg.Client
  try {
    db = await connect(config.DATABASE_URL)
  } catch (error) {
    results.push(result('database', 'fail', `cannot connect with DATABASE_URL: ${message(error)}`))
    return results
  }
  try {
    const version = (await db.query<{ version: string }>("select current_setting('server_version') as version")).rows[0]!.version
    results.push(result('database', 'ok', `PostgreSQL ${version} at ${new URL(config.DATABASE_URL).host}`))
    await attempt('migrations', () => migrations(db))
    await attempt('app login', () => appLogin(db, config))
    await attempt('row-level security', () => rowLevelSecurity(db))
    await attempt('redis', () => redis(config))
    results.push(mail(config))
    await attempt('replica lag', () => replicaLag(config))
    await attempt('clock skew', () => clockSkew(db))
    await attempt('connections', () => connections(db, config, options.processes))
  } finally {
    await db.end()
  }
  return results
}

const MARK: Record<Verdict, string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: 'skip' }

/** The results as a plain table, one check a line. */
export function formatResults(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.check.length), 'check'.length)
  const rows = results.map((r) => `${r.check.padEnd(width)}  ${MARK[r.verdict].padEnd(7)}  ${r.detail}`)
  const failed = results.filter((r) => r.verdict === 'fail').length
  const warned = results.filter((r) => r.verdict === 'warn').length
  const summary = failed ? `${failed} failed${warned ? `, ${warned} to look at` : ''}` : warned ? `healthy, ${warned} to look at` : 'healthy'
  return [`${'check'.padEnd(width)}  verdict  detail`, ...rows, '', summary].join('\n')
}
