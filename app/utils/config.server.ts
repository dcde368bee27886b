import { z } from 'zod'

/**
 * Every environment variable the app reads, validated once at startup.
 * Defaults make the embedded mode (`npm start` with no environment) work.
 */
const booleanish = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')

const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
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
    SESSION_DAYS: z.coerce.number().min(1 / 24).max(365).default(30),
    TRUST_PROXY: booleanish.default('false'),
    SEED_DEMO: booleanish.optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.APP_DATABASE_PASSWORD && !env.APP_DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['APP_DATABASE_PASSWORD'],
        message: 'required in production (the password of the app database login)',
      })
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

let cached: Config | undefined
/** The configuration, parsed on first use and then fixed for the process. */
export function getConfig(): Config {
  cached ??= parseConfig(process.env)
  return cached
}
