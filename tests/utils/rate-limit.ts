import { randomBytes } from 'node:crypto'
import net from 'node:net'
import { pino } from 'pino'
import { parseConfig } from '~/lib/config.server'
import { createRateLimits } from '~/rate-limit/limits.server'

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
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

/** Independent limiters, as another app process would build them (their own connections). */
export async function openLimits(config: ReturnType<typeof limitsConfig>) {
  const limits = createRateLimits(config, pino({ level: 'silent' }))
  await limits.ready()
  return limits
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
