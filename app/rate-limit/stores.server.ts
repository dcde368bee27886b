/**
 * Where the counters live. Redis when REDIS_URL is set (one shared ioredis
 * client), else the Postgres table of db/migrations/…_rate_limits.sql (a
 * small pool of its own acting as nextsaas_limiter, which holds that table
 * only), or memory for a single process. Every shared-store limiter has an
 * in-memory insurance limiter: when the store fails, limits hold per process
 * instead of failing the request.
 */
import { Redis } from 'ioredis'
import pg from 'pg'
import type { Logger } from 'pino'
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  type RateLimiterAbstract,
  type RateLimiterStoreAbstract,
} from 'rate-limiter-flexible'
import { appDatabaseUrl, RATE_LIMIT_POOL_SIZE, rateLimitStore, type Config } from '~/lib/config.server'
import type { PoolProbe } from '~/models/db.server'

export type StoreKind = 'memory' | 'redis' | 'postgres'

export interface LimiterSpec {
  keyPrefix: string
  points: number
  /** Window in seconds; 0 = counters never expire. */
  seconds: number
  /** Refuse a key in process memory, with no store round trip, once it is over its limit for the window. */
  blockInMemory?: boolean
}

type Limiter = RateLimiterAbstract | RateLimiterStoreAbstract

export interface Store {
  kind: StoreKind
  limiter(spec: LimiterSpec): Limiter
  /** Resolves once the store is connected (or has failed to within a moment: the insurance answers). */
  ready(): Promise<void>
  /** The PostgreSQL store's connection pool, for the metrics. */
  pool?: PoolProbe
  /** Redis's PING (the Redis store only): rejects at once while Redis is unreachable. */
  ping?: () => Promise<void>
  close(): Promise<void>
}

/**
 * Counters are namespaced by the database they protect, so that deployments
 * (and test runs) sharing one Redis never share counts.
 */
export function keyPrefix(config: Config): string {
  if (config.RATE_LIMIT_KEY_PREFIX) return config.RATE_LIMIT_KEY_PREFIX
  if (!config.DATABASE_URL && !config.APP_DATABASE_URL) return 'rl'
  const database = new URL(appDatabaseUrl(config)).pathname
    .slice(1)
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
  return `rl_${database}`.slice(0, 40)
}

const memory = (spec: LimiterSpec) => new RateLimiterMemory({ keyPrefix: spec.keyPrefix, points: spec.points, duration: spec.seconds })

function storeOptions(spec: LimiterSpec) {
  return {
    keyPrefix: spec.keyPrefix,
    points: spec.points,
    duration: spec.seconds,
    insuranceLimiter: memory(spec),
    ...(spec.blockInMemory ? { inMemoryBlockOnConsumed: spec.points + 1 } : {}),
  }
}

function openRedis(config: Config, logger: Logger): Store {
  const client = new Redis(config.REDIS_URL!, {
    // Fail fast while disconnected, so the insurance limiter answers at once.
    enableOfflineQueue: false,
    commandTimeout: config.RATE_LIMIT_REDIS_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    // A request's limiters send their commands in the same tick: one round trip.
    enableAutoPipelining: true,
  })
  let healthy = true
  client.on('ready', () => {
    if (!healthy) logger.info('rate-limit store: Redis is back; limits are shared again')
    healthy = true
  })
  client.on('error', (error: Error) => {
    if (healthy) logger.warn({ err: error.message }, 'rate-limit store: Redis unavailable; limits hold per process until it returns')
    healthy = false
  })
  return {
    kind: 'redis',
    limiter: (spec) => new RateLimiterRedis({ storeClient: client, ...storeOptions(spec) }),
    ready: () =>
      new Promise<void>((resolve) => {
        if (client.status === 'ready') return resolve()
        const timer = setTimeout(resolve, 2000)
        client.once('ready', () => {
          clearTimeout(timer)
          resolve()
        })
      }),
    ping: async () => {
      await client.ping()
    },
    close: async () => {
      client.disconnect()
    },
  }
}

function openPostgres(config: Config): Store {
  const pool = new pg.Pool({
    connectionString: appDatabaseUrl(config),
    options: '-c role=nextsaas_limiter -c statement_timeout=2000',
    max: RATE_LIMIT_POOL_SIZE,
    connectionTimeoutMillis: 2000,
  })
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => {})
  let janitor = true
  return {
    kind: 'postgres',
    limiter: (spec) => {
      const limiter = new RateLimiterPostgres({
        storeClient: pool,
        storeType: 'pool',
        schemaName: 'rate_limit',
        tableName: 'counters',
        tableCreated: true,
        // One limiter per store sweeps expired rows of the whole table.
        clearExpiredByTimeout: janitor,
        ...storeOptions(spec),
      })
      janitor = false
      return limiter
    },
    ready: async () => {},
    pool: {
      stats: async () => ({ inUse: pool.totalCount - pool.idleCount, idle: pool.idleCount, waiting: pool.waitingCount, max: RATE_LIMIT_POOL_SIZE }),
      ping: async () => {
        await pool.query('select 1')
      },
    },
    close: () => pool.end(),
  }
}

export function openStore(config: Config, logger: Logger): Store {
  const kind = rateLimitStore(config)
  if (kind === 'redis') return openRedis(config, logger)
  if (kind === 'postgres') return openPostgres(config)
  return { kind, limiter: memory, ready: async () => {}, close: async () => {} }
}
