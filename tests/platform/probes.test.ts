/**
 * /healthz (liveness) and /readyz (readiness) through the real HTTP layer:
 * a failing check is a 503 that names it, checks registered by other modules
 * count, and probes are neither rate-limited nor scanned by the security
 * monitor. (A database that does not answer: tests/platform/start.test.ts,
 * on a real process.)
 */
import { expect, test } from 'vitest'
import { startApp } from '../utils/app'
import { setupApp } from '../utils/fixture'
import { uniquePrefix } from '../utils/rate-limit'

const ctx = setupApp({ RATE_LIMIT_STORE: 'memory', RATE_LIMIT_KEY_PREFIX: uniquePrefix('probes'), RATE_LIMIT_IP_MAX_REQUESTS: 3 })

test('a failing check added by another module makes /readyz a 503 that names it; /healthz stays 200', async () => {
  const { lifecycle } = ctx.app.services
  let listening = false
  lifecycle.addReadinessCheck('events_listener', async () => {
    if (!listening) throw new Error('LISTEN connection lost')
  })
  const failing = await fetch(`${ctx.origin}/readyz`)
  expect(failing.status).toBe(503)
  expect(failing.headers.get('cache-control')).toBe('no-store')
  expect(await failing.json()).toMatchObject({
    status: 'not ready',
    failing: ['events_listener'],
    checks: { database: { status: 'ok' }, events_listener: { status: 'failing', error: 'LISTEN connection lost' } },
  })
  expect((await fetch(`${ctx.origin}/healthz`)).status).toBe(200)

  listening = true
  expect((await fetch(`${ctx.origin}/readyz`)).status).toBe(200)
})

test('a check that hangs fails within the probe’s time', async () => {
  const app = await startApp()
  try {
    app.services.lifecycle.addReadinessCheck('stuck', () => new Promise(() => {}))
    const response = await fetch(`${app.origin}/readyz`)
    expect(response.status).toBe(503)
    expect(await response.json()).toMatchObject({ failing: ['stuck'], checks: { stuck: { error: 'stuck did not answer within 2000 ms' } } })
  } finally {
    await app.close()
  }
})

test('Redis, when the limits use it, is a check of its own', async () => {
  const app = await startApp({ RATE_LIMIT_STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_KEY_PREFIX: uniquePrefix('probes') })
  try {
    const response = await fetch(`${app.origin}/readyz`)
    expect(response.status).toBe(503)
    expect(await response.json()).toMatchObject({ failing: ['redis'], checks: { database: { status: 'ok' }, redis: { status: 'failing' } } })
  } finally {
    await app.close()
  }
})

test('probes are not rate-limited, do not count against the address, and are not scanned', async () => {
  for (let i = 0; i < 10; i++) {
    expect((await fetch(`${ctx.origin}/healthz`)).status).toBe(200)
    expect((await fetch(`${ctx.origin}/readyz?q=${encodeURIComponent("' OR '1'='1' --")}`)).status).toBe(200)
  }
  // The address's three requests are all still there for a page.
  for (let i = 0; i < 3; i++) expect((await fetch(`${ctx.origin}/login`)).status).toBe(200)
})
