import { isIP } from 'node:net'
import { z } from 'zod'

/**
 * Every environment variable the app reads, validated once at startup.
 * Defaults make the embedded mode (`npm start` with no environment) work.
 */
const booleanish = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const
/** A duration such as `30m`, `12h` or `14d`, in milliseconds; at least five minutes. */
const duration = z
  .string()
  .regex(/^\d+[mhd]$/, 'use a whole number and a unit: 30m, 12h or 14d')
  .transform((v) => Number(v.slice(0, -1)) * UNIT_MS[v.slice(-1) as keyof typeof UNIT_MS])
  .refine((ms) => ms >= 5 * 60_000, 'must be at least 5m')

/** A rate-limit window in milliseconds; the stores count whole seconds. */
const windowMs = z.coerce
  .number()
  .int()
  .min(1000)
  .max(86_400_000)
  .refine((ms) => ms % 1000 === 0, 'use whole seconds (a multiple of 1000)')
const requests = z.coerce.number().int().min(1).max(1_000_000)
const burst = z.coerce.number().int().min(0).max(1_000_000)

/** Rate limiting and brute-force protection (app/rate-limit, app/utils/rate-limit.server.ts). */
const RateLimitEnv = {
  RATE_LIMIT_ENABLED: booleanish.default('true'),
  RATE_LIMIT_STORE: z
    .enum(['auto', 'redis', 'postgres', 'memory'])
    .default('auto')
    .describe('auto = redis when REDIS_URL is set, else postgres (shared by every app process)'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'REDIS_URL must be a redis:// or rediss:// URL')
    .optional(),
  RATE_LIMIT_REDIS_TIMEOUT_MS: z.coerce.number().int().min(10).max(10_000).default(250),
  RATE_LIMIT_KEY_PREFIX: z
    .string()
    .regex(/^[a-z0-9_]{1,40}$/, 'use 1-40 lowercase letters, digits or _')
    .optional()
    .describe('namespace of the counters; unset = rl_<database name>'),
  RATE_LIMIT_WINDOW_MS: windowMs.default(60_000),
  RATE_LIMIT_MAX_REQUESTS: requests.default(100).describe('per user and window'),
  RATE_LIMIT_BURST: burst.default(50).describe('per user, on top of the sustained rate, per burst window'),
  RATE_LIMIT_BURST_WINDOW_MS: windowMs.default(600_000),
  RATE_LIMIT_ORG_MAX_REQUESTS: requests.default(1000).describe('per organization and window'),
  RATE_LIMIT_ORG_BURST: burst.default(500),
  RATE_LIMIT_OVERRIDE_MAX_FACTOR: z.coerce.number().int().min(1).max(1000).default(10),
  RATE_LIMIT_IP_MAX_REQUESTS: requests.default(1000),
  RATE_LIMIT_IP_WINDOW_MS: windowMs.default(60_000),
  RATE_LIMIT_GLOBAL_MAX_REQUESTS: requests.default(5000).describe('per app process'),
  RATE_LIMIT_GLOBAL_WINDOW_MS: windowMs.default(1000),
  RATE_LIMIT_INVITES_PER_HOUR: requests.default(50),
  RATE_LIMIT_EXPORTS_PER_HOUR: requests.default(10),
  RATE_LIMIT_TOKENS_PER_HOUR: requests.default(20),
  RATE_LIMIT_MAILS_PER_HOUR: requests.default(5).describe('account emails to one address'),
  RATE_LIMIT_SIGNIN_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  RATE_LIMIT_SIGNIN_LOCK_SECONDS: z.coerce.number().int().min(1).max(86_400).default(30),
  RATE_LIMIT_SIGNIN_MAX_LOCK_SECONDS: z.coerce.number().int().min(1).max(86_400).default(3600),
  RATE_LIMIT_SIGNIN_IP_PER_DAY: requests.default(100),
  // OWASP ASVS 2.2.1: at most 100 failed attempts per hour on one account.
  RATE_LIMIT_SIGNIN_ACCOUNT_PER_HOUR: z.coerce.number().int().min(1).max(100).default(100),
  RATE_LIMIT_INVITATION_FAILURES: z.coerce.number().int().min(1).max(100).default(10).describe('per IP, then a lock as for sign-in'),
  RATE_LIMIT_INVITATION_IP_PER_DAY: requests.default(100),
}

/**
 * Who may tell the app a client's address (server/client-ip.server.ts):
 * `false` = the connection's own address; `fly` = the Fly-Client-IP header
 * Fly's proxy sets; a number = that many proxies in front, each appending to
 * X-Forwarded-For; a list = the addresses (IP, CIDR, or Express's names
 * loopback, linklocal, uniquelocal) of the proxies to believe.
 */
export type TrustProxy = false | 'fly' | number | string[]

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal'])
function isProxyAddress(entry: string) {
  if (PROXY_NAMES.has(entry)) return true
  const [address = '', prefix, ...rest] = entry.split('/')
  const family = isIP(address)
  if (!family || rest.length) return false
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128))
}

const trustProxy = z
  .string()
  .trim()
  .transform((value, ctx): TrustProxy => {
    if (value === 'true') {
      ctx.addIssue({
        code: 'custom',
        message:
          'true would believe every X-Forwarded-For entry, so any client could pick its own address: use fly on Fly.io, ' +
          'the number of proxies in front of the app (1), or their addresses (10.0.0.0/8,loopback)',
      })
      return z.NEVER
    }
    if (value === 'false' || value === '0' || value === '') return false
    if (value === 'fly') return 'fly'
    if (/^\d+$/.test(value)) {
      const hops = Number(value)
      if (hops <= 10) return hops
      ctx.addIssue({ code: 'custom', message: 'a number of proxies is at most 10' })
      return z.NEVER
    }
    const entries = value.split(',').map((entry) => entry.trim())
    const invalid = entries.filter((entry) => !isProxyAddress(entry))
    if (invalid.length === 0) return entries
    ctx.addIssue({
      code: 'custom',
      message: `not a proxy address: ${invalid.join(', ')} (use fly, a number of proxies, or IPs/CIDRs/loopback separated by commas)`,
    })
    return z.NEVER
  })

/** A comma-separated list, trimmed and lowercased. */
const lowercaseList = z.string().transform((v) =>
  v
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean),
)

/** The security monitor (app/security). */
const SecurityEnv = {
  SECURITY_MODE: z
    .enum(['block', 'monitor', 'off'])
    .default('block')
    .describe('block = HIGH and CRITICAL findings are refused with 403; monitor = findings are only recorded'),
  SECURITY_RICH_TEXT_FIELDS: lowercaseList
    .default('description,body_md')
    .describe('field names that hold rich text or code: their findings are recorded, never blocked'),
  SECURITY_MAX_VALUE_CHARS: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024)
    .default(64 * 1024),
  SECURITY_MAX_REQUEST_CHARS: z.coerce
    .number()
    .int()
    .min(4096)
    .max(8 * 1024 * 1024)
    .default(256 * 1024),
  SECURITY_OPERATOR_EMAILS: lowercaseList.default('').describe("who may see every organization's security events"),
  SECURITY_BLOCK_THRESHOLD: z.coerce
    .number()
    .int()
    .min(0)
    .max(10_000)
    .default(10)
    .describe('refused requests from one IP within the window that block it (0 = never); needs RATE_LIMIT_ENABLED'),
  SECURITY_BLOCK_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  SECURITY_ALERT_EMAILS: lowercaseList
    .refine((list) => list.every((address) => z.string().email().safeParse(address).success), 'use email addresses, separated by commas')
    .default('')
    .describe('operators mailed about HIGH and CRITICAL security events and brute-force lockouts'),
  SECURITY_ALERT_BATCH_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .max(3600)
    .default(60)
    .describe('security alerts are gathered into one message per this many seconds'),
  SECURITY_BLOCK_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .default(900)
    .describe('how long a blocked IP is refused'),
}

/** A Fly.io region code, such as `ams` or `iad`. */
const region = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9]{2,8}$/, 'use a region code such as ams or iad')

/** Regions (docs/decisions/017-regions.md): Fly sets both; unset or equal = one region, everything on the primary. */
const RegionEnv = {
  PRIMARY_REGION: region
    .optional()
    .describe("the region of the primary database: writes are replayed there (Fly sets it from fly.toml's primary_region)"),
  FLY_REGION: region.optional().describe('the region this machine runs in (Fly sets it)'),
  DATABASE_REPLICA_URL: z
    .string()
    .url('DATABASE_REPLICA_URL must be a postgres:// URL')
    .optional()
    .describe("the app login's URL on this region's read replica; unset = the app URL with port 5433 (Fly Postgres)"),
  READ_YOUR_WRITES_WAIT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(5000)
    .default(300)
    .describe("how long a replica-region request waits for the replica to replay its client's last write, before it is replayed to the primary"),
  REPLICA_MAX_LAG_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(30)
    .describe('in a replica region, /readyz fails while the replica is further behind than this (the ReplicaLag alert fires at the same bound)'),
}

const passwordIn = (url: string | undefined) => {
  try {
    return Boolean(url && new URL(url).password)
  } catch {
    return false
  }
}

/** Live updates (server/live-updates.server.ts): server-sent events per organization. */
const LiveUpdatesEnv = {
  REALTIME_ENABLED: booleanish.default('true').describe('false = no change listener; the event endpoints answer 503'),
  REALTIME_HEARTBEAT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(300)
    .default(25)
    .describe('a comment on every idle stream this often (proxies close idle connections)'),
  REALTIME_RECHECK_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(60)
    .default(3)
    .describe("each stream's credential and membership are checked again this often (a revoked one is closed within it)"),
  REALTIME_REPLAY_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(3600)
    .default(300)
    .describe('how far back Last-Event-ID can resume; older = the client is told to reload'),
  REALTIME_MAX_STREAMS_PER_USER: z.coerce.number().int().min(1).max(1000).default(10),
  REALTIME_MAX_STREAMS_PER_ORG: z.coerce.number().int().min(1).max(100_000).default(500),
  REALTIME_MAX_STREAMS: z.coerce.number().int().min(1).max(1_000_000).default(5000).describe('per app process'),
}

const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('0 = any free port (npm start prints it)'),
    HOST: z.string().min(1).default('0.0.0.0'),
    METRICS_PORT: z.coerce
      .number()
      .int()
      .min(1)
      .max(65535)
      .optional()
      .describe('serves Prometheus metrics at /metrics on this port (on HOST); unset = no metrics listener'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: z
      .string()
      .url('DATABASE_URL must be a postgres:// URL')
      .optional()
      .describe('privileged URL used by migrations (the release command); unset with APP_DATABASE_URL unset = embedded PostgreSQL'),
    APP_DATABASE_URL: z.string().url().optional(),
    APP_DATABASE_PASSWORD: z.string().min(12, 'APP_DATABASE_PASSWORD must be at least 12 characters').optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    DATABASE_CITUS: booleanish
      .default('false')
      .describe('the database is a Citus coordinator: transactions set their claims with SET LOCAL, which Citus passes on to the workers'),
    EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
    EMBEDDED_PG_DIR: z.string().min(1).default('.data/postgres'),
    SESSION_IDLE_TIMEOUT: duration.default('30d').describe('a session unused for this long ends'),
    SESSION_ABSOLUTE_TIMEOUT: duration.default('90d').describe('a session ends this long after sign-in, in use or not'),
    APP_URL: z.string().url('APP_URL must be the public URL, such as https://app.example.com').optional(),
    MAIL_API_URL: z.string().url().optional().describe('HTTP mail provider endpoint (Resend-style JSON POST); unset = dev mailbox'),
    MAIL_API_KEY: z.string().min(1).optional(),
    MAIL_FROM: z.string().min(3).default('NextSaaS <no-reply@nextsaas.dev>'),
    TRUST_PROXY: trustProxy.optional().describe('unset = fly on Fly.io (FLY_APP_NAME set), else false'),
    FLY_APP_NAME: z.string().min(1).optional().describe('set by Fly.io on its machines'),
    SHUTDOWN_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(300_000)
      .default(20_000)
      .describe('how long a stopping process lets requests in flight finish; keep it below fly.toml kill_timeout'),
    SENTRY_DSN: z
      .string()
      .regex(
        /^https?:\/\/\w+(?::\w*)?@[\w.-]+(?::\d+)?\/\S+$/,
        'SENTRY_DSN must be the DSN your Sentry project shows: https://<key>@<host>/<project>',
      )
      .optional()
      .describe('unexpected errors are reported there; unset = logged only'),
    SENTRY_ENVIRONMENT: z.string().min(1).max(64).optional(),
    SENTRY_RELEASE: z.string().min(1).max(200).optional(),
    SEED_DEMO: booleanish.optional(),
    API_MAX_BODY_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024)
      .default(64 * 1024)
      .describe('largest JSON body the API reads'),
    AUDIT_RETENTION_MAX_DAYS: z.coerce
      .number()
      .int()
      .min(1)
      .max(36_500)
      .default(3650)
      .describe('the longest audit retention an owner may choose; organizations that choose none keep this long'),
    AUDIT_CHECKPOINT_KEY: z
      .string()
      .min(1)
      .optional()
      .describe(
        'ed25519 private key (PEM, or base64 of its PKCS#8 DER) signing audit:prune checkpoints; unset outside production = .data/audit-checkpoint-key.pem',
      ),
    ...RateLimitEnv,
    ...SecurityEnv,
    ...RegionEnv,
    ...LiveUpdatesEnv,
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.DATABASE_URL && !env.APP_DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['APP_DATABASE_URL'],
        message: "required in production: the app's own login (postgres://nextsaas_app:…@host/db); the embedded PostgreSQL is for development only",
      })
    } else if (env.NODE_ENV === 'production' && !env.APP_DATABASE_PASSWORD && !passwordIn(env.APP_DATABASE_URL)) {
      ctx.addIssue({
        code: 'custom',
        path: ['APP_DATABASE_PASSWORD'],
        message: 'required in production unless APP_DATABASE_URL carries it (the password of the app database login)',
      })
    }
    if (env.NODE_ENV === 'production' && !env.APP_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['APP_URL'],
        message: 'required in production: the public URL that mailed links point at, such as https://app.example.com',
      })
    }
    if (env.NODE_ENV === 'production' && env.SEED_DEMO) {
      ctx.addIssue({ code: 'custom', path: ['SEED_DEMO'], message: 'never in production: the demo accounts have a published password' })
    }
    if (env.SEED_DEMO && env.APP_DATABASE_URL && !env.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['SEED_DEMO'], message: "needs DATABASE_URL: the app's own login cannot seed" })
    }
    if (env.MAIL_API_URL && !env.MAIL_API_KEY) {
      ctx.addIssue({ code: 'custom', path: ['MAIL_API_KEY'], message: 'required when MAIL_API_URL is set' })
    }
    if (env.METRICS_PORT === env.PORT) {
      ctx.addIssue({ code: 'custom', path: ['METRICS_PORT'], message: 'must differ from PORT: metrics are never served on the public port' })
    }
    if (env.RATE_LIMIT_STORE === 'redis' && !env.REDIS_URL) {
      ctx.addIssue({ code: 'custom', path: ['REDIS_URL'], message: 'required when RATE_LIMIT_STORE=redis' })
    }
    if (
      env.FLY_REGION &&
      env.PRIMARY_REGION &&
      env.FLY_REGION !== env.PRIMARY_REGION &&
      !env.DATABASE_REPLICA_URL &&
      !env.DATABASE_URL &&
      !env.APP_DATABASE_URL
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_REPLICA_URL'],
        message: 'required in a replica region without a database URL to derive it from',
      })
    }
    if (env.RATE_LIMIT_SIGNIN_MAX_LOCK_SECONDS < env.RATE_LIMIT_SIGNIN_LOCK_SECONDS) {
      ctx.addIssue({ code: 'custom', path: ['RATE_LIMIT_SIGNIN_MAX_LOCK_SECONDS'], message: 'must be at least RATE_LIMIT_SIGNIN_LOCK_SECONDS' })
    }
    if (env.TRUST_PROXY === 'fly' && !env.FLY_APP_NAME) {
      ctx.addIssue({
        code: 'custom',
        path: ['TRUST_PROXY'],
        message: 'fly only on Fly.io (FLY_APP_NAME unset): anywhere else a client could send Fly-Client-IP itself',
      })
    }
  })
  // On Fly.io every request comes through Fly's proxy, which sets Fly-Client-IP.
  .transform((env) => ({ ...env, TRUST_PROXY: env.TRUST_PROXY ?? (env.FLY_APP_NAME ? ('fly' as const) : false) }))

export type Config = z.infer<typeof ConfigSchema>

/** Dev-only password for the app's login role; production must set its own. */
const DEV_APP_PASSWORD = 'nextsaas-app-dev-password'

export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const result = ConfigSchema.safeParse(env)
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`)
  }
  return result.data
}

export const APP_DB_ROLE = 'nextsaas_app'

/** Lucia's session pool (auth/session.server.ts) and the PostgreSQL rate-limit store's (rate-limit/stores.server.ts). */
export const SESSION_POOL_SIZE = 4
export const RATE_LIMIT_POOL_SIZE = 5

/** The most connections one app process opens: the Slonik pool, the session pool, the PostgreSQL store's, if used, and the live updates' listener. */
export function connectionsPerProcess(cfg: Config): number {
  const postgresStore = cfg.RATE_LIMIT_ENABLED && rateLimitStore(cfg) === 'postgres'
  return cfg.DATABASE_POOL_SIZE + SESSION_POOL_SIZE + (postgresStore ? RATE_LIMIT_POOL_SIZE : 0) + (cfg.REALTIME_ENABLED ? 1 : 0)
}

/** Where the rate-limit counters live: `auto` is Redis when REDIS_URL is set, else PostgreSQL. */
export function rateLimitStore(cfg: Config): 'memory' | 'redis' | 'postgres' {
  if (cfg.RATE_LIMIT_STORE !== 'auto') return cfg.RATE_LIMIT_STORE
  return cfg.REDIS_URL ? 'redis' : 'postgres'
}

/**
 * The app login's password, which migrations set on the role: APP_DATABASE_PASSWORD, else
 * the one APP_DATABASE_URL carries (so a release command holding both URLs keeps the app's
 * login working), else the development one (refused in production by the schema).
 */
export function appDatabasePassword(cfg: Config) {
  const inAppUrl = cfg.APP_DATABASE_URL ? decodeURIComponent(new URL(cfg.APP_DATABASE_URL).password) : ''
  return cfg.APP_DATABASE_PASSWORD ?? (inAppUrl || DEV_APP_PASSWORD)
}

/**
 * The pool never uses the privileged URL: it logs in as the app role,
 * on the same server and database, unless APP_DATABASE_URL names another.
 */
export function appDatabaseUrl(cfg: Config): string {
  if (cfg.APP_DATABASE_URL) return cfg.APP_DATABASE_URL
  if (!cfg.DATABASE_URL) throw new Error('DATABASE_URL is not set (npm start sets it for the embedded database)')
  const url = new URL(cfg.DATABASE_URL)
  url.username = APP_DB_ROLE
  url.password = appDatabasePassword(cfg)
  return url.toString()
}

export interface Regions {
  /** This machine's region (PRIMARY_REGION when FLY_REGION is unset). */
  here: string
  primary: string
}

/**
 * The regions the app knows of: null when PRIMARY_REGION is unset (one
 * region, nothing about regions in requests or responses). With it set, the
 * primary region's machines leave read-your-writes positions on writes, and a
 * machine in another region reads from its replica and replays writes.
 */
export function regionsOf(cfg: Config): Regions | null {
  if (!cfg.PRIMARY_REGION) return null
  return { here: cfg.FLY_REGION ?? cfg.PRIMARY_REGION, primary: cfg.PRIMARY_REGION }
}

/** Whether this machine runs outside the primary region: reads from a replica, writes replayed. */
export function inReplicaRegion(cfg: Config): boolean {
  const regions = regionsOf(cfg)
  return regions !== null && regions.here !== regions.primary
}

/** The replica the app reads from in a replica region: DATABASE_REPLICA_URL, or the app URL on port 5433 as Fly Postgres serves it. */
export function replicaDatabaseUrl(cfg: Config): string {
  if (cfg.DATABASE_REPLICA_URL) return cfg.DATABASE_REPLICA_URL
  const url = new URL(appDatabaseUrl(cfg))
  url.port = '5433'
  return url.toString()
}

/** The origin that links in emails point to; never taken from a request's Host header. */
export function appUrl(cfg: Config): string {
  return (cfg.APP_URL ?? `http://localhost:${cfg.PORT}`).replace(/\/+$/, '')
}

let cached: Config | undefined
/** The configuration, parsed on first use and then fixed for the process. */
export function getConfig(): Config {
  cached ??= parseConfig(process.env)
  return cached
}
