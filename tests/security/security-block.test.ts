/**
 * The temporary block of IPs that keep sending attacks: through two app
 * instances that share the PostgreSQL store (as two processes would), and on
 * the limiters alone, on every store. Behind a trusted proxy, so that each
 * test speaks from its own address.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import type { RateLimits } from '~/rate-limit/limits.server'
import { Client, PASSWORD, startApp, uniqueEmail } from '../utils/app'
import { setupApp, type App } from '../utils/fixture'
import { expectCountedInStore, limitsConfig, openLimits, requireRedis, type StoreName } from '../utils/rate-limit'

const BLOCK = { SECURITY_BLOCK_THRESHOLD: '3', SECURITY_BLOCK_WINDOW_SECONDS: '60', SECURITY_BLOCK_SECONDS: '2' }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const opened: RateLimits[] = []
async function open(store: StoreName, env: Record<string, string> = BLOCK) {
  const limits = await openLimits(limitsConfig(store, env))
  opened.push(limits)
  return limits
}

// One configuration, two sets of limiters with their own connections: two processes.
let processes: [RateLimits, RateLimits]
beforeAll(async () => {
  const config = limitsConfig('postgres', BLOCK)
  processes = await Promise.all([openLimits(config), openLimits(config)])
  opened.push(...processes)
})
afterAll(async () => {
  await Promise.all(opened.map((limits) => limits.close()))
})
const ctx = setupApp({ TRUST_PROXY: 1 }, () => ({ rateLimits: processes[0] }))
const first = ctx
let second: App
beforeAll(async () => {
  second = await startApp({ TRUST_PROXY: 1 }, { rateLimits: processes[1] })
})
afterAll(() => second?.close())

let ipCounter = 0
/** A browser at an address no other test uses. */
function clientAt(origin: string, ip = `198.18.${process.pid % 250}.${++ipCounter}`) {
  return Object.assign(new Client(origin, { 'x-forwarded-for': ip }), { ip })
}

const ATTACK = `/login?q=${encodeURIComponent("' OR '1'='1' --")}`

async function attack(client: ReturnType<typeof clientAt>, times: number) {
  for (let i = 0; i < times; i++) {
    const response = await client.get(ATTACK)
    expect(response.status).toBe(403)
    expect(await response.text()).toContain('looks like an attack')
  }
}

async function eventsFrom(ip: string) {
  const { rows } = await ctx.admin.query(
    'select rule_id, type, severity, count, blocked, sample from security_events where ip_address = $1 order by rule_id',
    [ip],
  )
  return rows
}

describe('an IP whose requests keep being refused', () => {
  test('is refused even for a benign request, before any route runs, and the block is recorded once', async () => {
    const attacker = clientAt(first.origin)
    await attack(attacker, 3)

    const page = await attacker.get('/login')
    expect(page.status).toBe(403)
    expect(Number(page.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    const html = await page.text()
    expect(html).toContain('Requests from your network address are refused for')
    expect(html).toContain(page.headers.get('x-request-id')!)

    // A sign-up from the blocked address creates nothing.
    const email = uniqueEmail('blocked-ip')
    expect((await attacker.post('/signup', { name: 'Blocked Address', email, password: PASSWORD })).status).toBe(403)
    expect((await ctx.admin.query('select 1 from auth.users where email = $1', [email])).rowCount).toBe(0)

    const api = await attacker.get('/api/organizations')
    expect(api.status).toBe(403)
    expect(await api.json()).toEqual({
      error: {
        code: 'REQUEST_BLOCKED',
        message: expect.stringContaining('network address'),
        details: { retryAfterSeconds: expect.any(Number) },
        traceId: api.headers.get('x-request-id'),
      },
    })

    // The attacks themselves, and one block event: the refusals during the block record nothing more.
    await attacker.get(ATTACK)
    const events = await eventsFrom(attacker.ip)
    expect(events.filter((e) => e.rule_id === 'ip-blocked')).toEqual([
      expect.objectContaining({ type: 'SUSPICIOUS_ACTIVITY', severity: 'HIGH', count: 1, blocked: true }),
    ])
    expect(events.find((e) => e.rule_id === 'sqli-tautology-quoted')).toMatchObject({ count: 3 })
  })

  test('another IP is not blocked, nor is one that stays under the threshold', async () => {
    await attack(clientAt(first.origin), 3)
    expect((await clientAt(first.origin).get('/login')).status).toBe(200)
    const occasional = clientAt(first.origin)
    await attack(occasional, 2)
    expect((await occasional.get('/login')).status).toBe(200)
    expect((await eventsFrom(occasional.ip)).map((e) => e.rule_id)).not.toContain('ip-blocked')
  })

  test('a block started through one app instance holds in the other', async () => {
    const ip = `198.18.${process.pid % 250}.${++ipCounter}`
    await attack(clientAt(first.origin, ip), 3)
    const elsewhere = await clientAt(second.origin, ip).get('/login')
    expect(elsewhere.status).toBe(403)
    expect(await elsewhere.text()).toContain('network address')
  })

  test('the block expires, and the address starts again from zero', async () => {
    const attacker = clientAt(first.origin)
    await attack(attacker, 3)
    expect((await attacker.get('/login')).status).toBe(403)
    await sleep(2100)
    expect((await attacker.get('/login')).status).toBe(200)
    await attack(attacker, 1)
    expect((await attacker.get('/login')).status).toBe(200)
  })

  test('in monitor mode nothing is refused, so nothing is blocked', async () => {
    const monitorOnly = await startApp({ TRUST_PROXY: 1, SECURITY_MODE: 'monitor' }, { rateLimits: await open('postgres') })
    try {
      const client = clientAt(monitorOnly.origin)
      for (let i = 0; i < 4; i++) expect((await client.get(ATTACK)).status).toBe(200)
      expect((await client.get('/login')).status).toBe(200)
    } finally {
      await monitorOnly.close()
    }
  })
})

describe.each<StoreName>(['memory', 'postgres', 'redis'])('the block on the %s store', (store) => {
  beforeEach(async (context) => {
    if (store === 'redis') await requireRedis(context)
  })

  test('the threshold-th strike starts the block, for that address only, and it ends', async () => {
    const limits = await open(store)
    const [ip, other] = ['203.0.113.50', '203.0.113.51']
    expect(await limits.securityBlock.strike(ip)).toBeNull()
    expect(await limits.securityBlock.strike(ip)).toBeNull()
    expect(await limits.securityBlock.blockedFor(ip)).toBeNull()
    expect(await limits.securityBlock.strike(ip)).toEqual({ strikes: 3, windowSeconds: 60, blockSeconds: 2 })
    expect(await limits.securityBlock.blockedFor(ip)).toBeGreaterThanOrEqual(1)
    expect(await limits.securityBlock.blockedFor(other)).toBeNull()
    await expectCountedInStore(limits) // the block, before it expires
    await sleep(2100)
    expect(await limits.securityBlock.blockedFor(ip)).toBeNull()
  })

  // Asks nothing of the store (a threshold of 0 turns the block off before any count).
  test('a threshold of 0 never blocks', async () => {
    const limits = await open(store, { ...BLOCK, SECURITY_BLOCK_THRESHOLD: '0' })
    for (let i = 0; i < 5; i++) expect(await limits.securityBlock.strike('203.0.113.52')).toBeNull()
    expect(await limits.securityBlock.blockedFor('203.0.113.52')).toBeNull()
  })
})

describe.each<StoreName>(['postgres', 'redis'])('the %s store shared by two processes', (store) => {
  beforeEach(async (context) => {
    if (store === 'redis') await requireRedis(context)
  })

  test('concurrent strikes from both start exactly one block', async () => {
    // Fewer than twice the threshold: strikes after the block starts count from zero.
    const config = limitsConfig(store, { ...BLOCK, SECURITY_BLOCK_THRESHOLD: '5' })
    const [a, b] = await Promise.all([openLimits(config), openLimits(config)])
    opened.push(a, b)
    const starts = await Promise.all(Array.from({ length: 9 }, (_, i) => (i % 2 ? a : b).securityBlock.strike('203.0.113.60')))
    expect(starts.filter(Boolean)).toHaveLength(1)
    expect(await b.securityBlock.blockedFor('203.0.113.60')).toBeGreaterThanOrEqual(1)
    await expectCountedInStore(a)
  })
})
