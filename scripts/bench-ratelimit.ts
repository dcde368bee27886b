/**
 * npm run bench:ratelimit [-- --iterations 5000 --warmup 500 --stores memory,postgres,redis]
 *
 * The latency the limiter chain adds to one request — global and per-IP at
 * the HTTP layer, then per user and per organization (with their burst
 * allowances, under the limits read with the membership) in requireTenant —
 * with no limiter, the memory store, Redis and the Postgres store, interleaved
 * in one run so that all four see the same machine at the same moment.
 * `--stores redis` measures one store alone, without the others' work (and
 * garbage) sharing its event loop.
 *
 * Uses a throwaway database (on DATABASE_URL's server, else an embedded
 * PostgreSQL) and REDIS_URL (default redis://127.0.0.1:6379) under a key
 * prefix of its own; Redis is skipped when it does not answer.
 */
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import pg from 'pg'
import { pino } from 'pino'
import { appDatabaseUrl, parseConfig } from '~/lib/config.server'
import { createRateLimits, type RateLimits } from '~/rate-limit/limits.server'
import { openThrowawayDatabase } from '../db/throwaway'
import { printJson, summarizeTimes } from './bench/stats'

const { values: args } = parseArgs({
  options: {
    iterations: { type: 'string', default: '5000' },
    warmup: { type: 'string', default: '500' },
    stores: { type: 'string', default: 'memory,postgres,redis' },
    json: { type: 'boolean', default: false },
  },
})
const ITERATIONS = Number(args.iterations)
const WARMUP = Number(args.warmup)
if (!(ITERATIONS > 0 && WARMUP >= 0)) throw new Error('--iterations and --warmup must be whole numbers')
const STORES = ['memory', 'postgres', 'redis'] as const
const chosen = args.stores.split(',').map((s) => s.trim())
const unknown = chosen.filter((s) => !(STORES as readonly string[]).includes(s))
if (unknown.length) throw new Error(`--stores: unknown ${unknown.join(', ')} (use ${STORES.join(', ')})`)

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const USERS = 1000
const ORGANIZATIONS = 100
const ADDRESSES = 1000

async function redisAnswers(): Promise<boolean> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null })
  try {
    await probe.connect()
    return (await probe.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    probe.disconnect()
  }
}

const pick = (n: number) => Math.floor(Math.random() * n)
const ids = {
  users: Array.from({ length: USERS }, () => crypto.randomUUID()),
  organizations: Array.from({ length: ORGANIZATIONS }, () => crypto.randomUUID()),
  addresses: Array.from({ length: ADDRESSES }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.${1 + pick(250)}`),
}

/** One request's way through the limiters: what the HTTP layer and requireTenant call. */
function chain(limits: RateLimits | null) {
  if (!limits) return async () => {}
  const noOverrides = {}
  return async () => {
    await limits.request(ids.addresses[pick(ADDRESSES)]!)
    await limits.tenant({ userId: ids.users[pick(USERS)]!, organizationId: ids.organizations[pick(ORGANIZATIONS)]! }, noOverrides)
  }
}

const ms = (value: number) => value.toFixed(3).padStart(8)

const database = await openThrowawayDatabase('nextsaas_bench')
const opened: RateLimits[] = []
const closers: (() => Promise<void>)[] = []
try {
  const env = {
    ...process.env,
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    REDIS_URL,
    RATE_LIMIT_KEY_PREFIX: `bench_${randomBytes(4).toString('hex')}`,
    // Nobody is refused: the run measures the counting, not the 429s.
    RATE_LIMIT_GLOBAL_MAX_REQUESTS: '1000000',
    RATE_LIMIT_IP_MAX_REQUESTS: '1000000',
    RATE_LIMIT_MAX_REQUESTS: '100000',
    RATE_LIMIT_ORG_MAX_REQUESTS: '1000000',
  }
  const redisUp = chosen.includes('redis') && (await redisAnswers())
  const stores = STORES.filter((s) => chosen.includes(s) && (s !== 'redis' || redisUp))
  const variants: { name: string; run: () => Promise<void>; samples: number[] }[] = [{ name: 'none', run: chain(null), samples: [] }]
  for (const store of stores) {
    const limits = createRateLimits(parseConfig({ ...env, RATE_LIMIT_STORE: store }), pino({ level: 'silent' }))
    await limits.ready()
    opened.push(limits)
    variants.push({ name: store, run: chain(limits), samples: [] })
  }
  // One bare round trip to each server, for scale: the chain makes two per request.
  if (stores.includes('postgres')) {
    const postgres = new pg.Client({ connectionString: appDatabaseUrl(parseConfig(env)) })
    await postgres.connect()
    closers.push(() => postgres.end())
    variants.push({ name: '(1 pg trip)', run: async () => void (await postgres.query('select 1')), samples: [] })
  }
  if (stores.includes('redis')) {
    const redis = new Redis(REDIS_URL)
    closers.push(async () => redis.disconnect())
    variants.push({ name: '(1 redis trip)', run: async () => void (await redis.ping()), samples: [] })
  }

  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    for (const variant of variants) {
      const started = performance.now()
      await variant.run()
      if (i >= WARMUP) variant.samples.push(performance.now() - started)
    }
  }

  const results = variants.map((v) => {
    const { median, p99 } = summarizeTimes(v.samples)
    return { name: v.name, p50Ms: median, p99Ms: p99, meanMs: v.samples.reduce((a, b) => a + b, 0) / v.samples.length }
  })
  if (args.json) printJson({ iterations: ITERATIONS, stores: results })
  else {
    console.log(`\nLimiter chain per request: global + IP (HTTP layer), user + organization with burst (requireTenant)`)
    console.log(
      `${ITERATIONS} requests per store after ${WARMUP} warm-up, interleaved; ${USERS} users, ${ORGANIZATIONS} organizations, ${ADDRESSES} addresses\n`,
    )
    console.log('store             p50 ms   p99 ms  mean ms')
    for (const r of results) console.log(`${r.name.padEnd(14)}${ms(r.p50Ms)} ${ms(r.p99Ms)} ${ms(r.meanMs)}`)
    if (chosen.includes('redis') && !redisUp) console.log(`\n(Redis skipped: nothing answered at ${REDIS_URL})`)
    console.log('\nTarget with Redis: p50 <= 0.3 ms, p99 <= 1 ms added per request.')
  }
} finally {
  await Promise.all([...opened.map((l) => l.close()), ...closers.map((close) => close())])
  await database.dispose()
}
