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

const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
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
      .describe('privileged URL used by migrations; unset = embedded PostgreSQL'),
    APP_DATABASE_URL: z.string().url().optional(),
    APP_DATABASE_PASSWORD: z.string().min(12, 'APP_DATABASE_PASSWORD must be at least 12 characters').optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
    EMBEDDED_PG_DIR: z.string().min(1).default('.data/postgres'),
    SESSION_IDLE_TIMEOUT: duration.default('30d').describe('a session unused for this long ends'),
    SESSION_ABSOLUTE_TIMEOUT: duration.default('90d').describe('a session ends this long after sign-in, in use or not'),
    APP_URL: z.string().url('APP_URL must be the public URL, such as https://app.example.com').optional(),
    MAIL_API_URL: z.string().url().optional().describe('HTTP mail provider endpoint (Resend-style JSON POST); unset = dev mailbox'),
    MAIL_API_KEY: z.string().min(1).optional(),
    MAIL_FROM: z.string().min(3).default('NextSaaS <no-reply@nextsaas.dev>'),
    TRUST_PROXY: booleanish.default('false'),
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
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.APP_DATABASE_PASSWORD && !env.APP_DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['APP_DATABASE_PASSWORD'],
        message: 'required in production (the password of the app database login)',
      })
    }
    if (env.NODE_ENV === 'production' && env.SEED_DEMO) {
      ctx.addIssue({ code: 'custom', path: ['SEED_DEMO'], message: 'never in production: the demo accounts have a published password' })
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
    if (env.RATE_LIMIT_SIGNIN_MAX_LOCK_SECONDS < env.RATE_LIMIT_SIGNIN_LOCK_SECONDS) {
      ctx.addIssue({ code: 'custom', path: ['RATE_LIMIT_SIGNIN_MAX_LOCK_SECONDS'], message: 'must be at least RATE_LIMIT_SIGNIN_LOCK_SECONDS' })
    }
  })

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

/** The most connections one app process opens: the Slonik pool, the session pool and the PostgreSQL store's, if used. */
export function connectionsPerProcess(cfg: Config): number {
  const postgresStore = cfg.RATE_LIMIT_ENABLED && rateLimitStore(cfg) === 'postgres'
  return cfg.DATABASE_POOL_SIZE + SESSION_POOL_SIZE + (postgresStore ? RATE_LIMIT_POOL_SIZE : 0)
}

/** Where the rate-limit counters live: `auto` is Redis when REDIS_URL is set, else PostgreSQL. */
export function rateLimitStore(cfg: Config): 'memory' | 'redis' | 'postgres' {
  if (cfg.RATE_LIMIT_STORE !== 'auto') return cfg.RATE_LIMIT_STORE
  return cfg.REDIS_URL ? 'redis' : 'postgres'
}

export function appDatabasePassword(cfg: Config) {
  return cfg.APP_DATABASE_PASSWORD ?? DEV_APP_PASSWORD
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
