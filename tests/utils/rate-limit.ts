import { randomBytes } from 'node:crypto'
import net from 'node:net'
import { Redis } from 'ioredis'
import { pino } from 'pino'
import { expect, type TestContext } from 'vitest'
import { parseConfig } from '~/lib/config.server'
import { createRateLimits } from '~/rate-limit/limits.server'
import { keyPrefix } from '~/rate-limit/stores.server'
import { IN_CI } from './ci'
import { adminClient } from './db'

/** REDIS_URL as the run was given it (before any file stubs it); outside CI, the usual local server when it is unset. */
const GIVEN_REDIS_URL = process.env.REDIS_URL
export const REDIS_URL = GIVEN_REDIS_URL ?? 'redis://127.0.0.1:6379'
export type StoreName = 'memory' | 'postgres' | 'redis'

/** Counters no other test (or earlier run on the same Redis) can have touched. */
export const uniquePrefix = (label = 't') => `${label}_${randomBytes(6).toString('hex')}`

/** A configuration for one store, with this test's own key prefix and the given limits. */
export function limitsConfig(store: StoreName, env: Record<string, string> = {}) {
  return parseConfig({
    ...process.env,
    RATE_LIMIT_STORE: store,
    REDIS_URL,
    RATE_LIMIT_KEY_PREFIX: uniquePrefix(),
    ...env,
  })
}

/** Independent limiters, as another app process would build them (their own connections), with their key prefix. */
export async function openLimits(config: ReturnType<typeof limitsConfig>) {
  const limits = createRateLimits(config, pino({ level: 'silent' }))
  await limits.ready()
  return Object.assign(limits, { keyPrefix: keyPrefix(config) })
}
export type OpenedLimits = Awaited<ReturnType<typeof openLimits>>

let redisCheck: Promise<string | null> | undefined
/** Why the Redis cases cannot run here, or null when Redis answers at REDIS_URL. Asked once per file. */
export function redisProblem(): Promise<string | null> {
  redisCheck ??= (async () => {
    if (IN_CI && !GIVEN_REDIS_URL) return 'REDIS_URL is unset'
    const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null })
    let failure: Error | undefined
    client.on('error', (error: Error) => (failure = error))
    try {
      await client.connect()
      const answer = await client.ping()
      return answer === 'PONG' ? null : `Redis at ${REDIS_URL} answered PING with ${answer}`
    } catch (error) {
      return `Redis at ${REDIS_URL} does not answer (${(failure ?? (error as Error)).message})`
    } finally {
      client.disconnect()
    }
  })()
  return redisCheck
}

/**
 * For a case that needs a real Redis, in beforeEach or at the start of the
 * test: nothing when Redis answers; otherwise the case fails in CI and is
 * skipped elsewhere. (Without Redis the in-memory insurance limiter would
 * answer, and most cases would pass without having used Redis at all.)
 */
export async function requireRedis(context: Pick<TestContext, 'skip'>) {
  const problem = await redisProblem()
  if (!problem) return
  if (IN_CI) throw new Error(`CI is set and this case needs Redis: ${problem}`)
  context.skip(`Redis unavailable: ${problem}`)
}

/** Every key in Redis that starts with `prefix`, with its value (SCAN, so a shared server is not blocked). */
export async function redisEntries(prefix: string): Promise<Map<string, string | null>> {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
  try {
    const keys: string[] = []
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`
    let cursor = '0'
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
      keys.push(...batch)
      cursor = next
    } while (cursor !== '0')
    const values = keys.length ? await client.mget(...keys) : []
    return new Map(keys.map((key, i) => [key, values[i] ?? null]))
  } finally {
    client.disconnect()
  }
}

/** The counters under these limiters' own key prefix in their shared store: Redis keys, or rows of rate_limit.counters. */
export async function storedCounters(limits: OpenedLimits): Promise<string[]> {
  if (limits.store === 'redis') return [...(await redisEntries(`${limits.keyPrefix}:`)).keys()]
  if (limits.store === 'memory') return []
  const admin = await adminClient()
  try {
    const { rows } = await admin.query('select key from rate_limit.counters where starts_with(key, $1) order by key', [`${limits.keyPrefix}:`])
    return rows.map((r) => r.key as string)
  } finally {
    await admin.end()
  }
}

/**
 * A TCP relay to the real Redis that can be cut and restored, so that a test
 * can take "Redis" away and bring it back without touching the server.
 */
export async function redisRelay() {
  const target = new URL(REDIS_URL)
  const sockets = new Set<net.Socket>()
  let server: net.Server | undefined
  let port = 0
  const start = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 6379), target.hostname)
        for (const s of [client, upstream]) {
          sockets.add(s)
          s.on('close', () => sockets.delete(s))
          s.on('error', () => {})
        }
        client.pipe(upstream).pipe(client)
      })
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port
        resolve()
      })
    })
  await start()
  return {
    url: () => `redis://127.0.0.1:${port}`,
    cut: () =>
      new Promise<void>((resolve) => {
        server!.close(() => resolve())
        for (const s of sockets) s.destroy()
      }),
    restore: start,
  }
}

export async function until(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('condition not met in time')
}

/**
 * A shared-store case proves that it counted in its store: when the store is
 * down, the in-memory insurance limiter answers, and most cases would pass on
 * it alone. Each set of limiters has a key prefix of its own, so what is found
 * there was written by this case. Nothing to prove for the memory store.
 */
export async function expectCountedInStore(limits: OpenedLimits) {
  if (limits.store === 'memory') return
  expect(await storedCounters(limits), `no counters under ${limits.keyPrefix}: in ${limits.store}`).not.toEqual([])
}
