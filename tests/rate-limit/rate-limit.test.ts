/**
 * The limiters themselves, on every store: exact under concurrency across
 * independent instances, windows that reset, bursts, per-organization limits,
 * and a store that fails (requests keep being served and limited per process).
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeEach, describe, expect, test } from 'vitest'
import type { RateLimits } from '~/rate-limit/limits.server'
import { effectiveLimits, rateLimitHeaders, tightest, type Outcome } from '~/rate-limit/policies'
import { expectCountedInStore, limitsConfig, openLimits, redisRelay, requireRedis, until, type StoreName } from '../utils/rate-limit'

const opened: RateLimits[] = []
async function open(...args: Parameters<typeof limitsConfig>) {
  const limits = await openLimits(limitsConfig(...args))
  opened.push(limits)
  return limits
}
afterAll(async () => {
  await Promise.all(opened.map((l) => l.close()))
})

const noOverrides = {}
const admitted = (outcomes: { limited: boolean }[]) => outcomes.every((o) => !o.limited)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('policies', () => {
  const outcome = (name: string, remaining: number, limited = false, resetSeconds = 30): Outcome => ({
    policy: { name, quota: 10, windowSeconds: 60 },
    remaining,
    resetSeconds,
    limited,
  })

  test('headers follow draft-ietf-httpapi-ratelimit-headers-10; Retry-After only on a refusal', () => {
    expect(rateLimitHeaders(outcome('user', 4))).toEqual({ 'RateLimit-Policy': '"user";q=10;w=60', RateLimit: '"user";r=4;t=30' })
    expect(rateLimitHeaders(outcome('ip', 0, true, 0))).toMatchObject({ 'Retry-After': '1', RateLimit: '"ip";r=0;t=0' })
  })

  test('the tightest policy: a refusal (the longest) first, else the least remaining', () => {
    expect(tightest([outcome('ip', 9), outcome('user', 2), outcome('organization', 5)])!.policy.name).toBe('user')
    expect(tightest([outcome('user', 0), outcome('ip', 0, true, 5), outcome('organization', 0, true, 50)])!.policy.name).toBe('organization')
    expect(tightest([])).toBeUndefined()
  })

  test("an organization's stored limits count only as whole numbers within today's bounds", () => {
    const config = limitsConfig('memory')
    expect(effectiveLimits(config, { userRequests: 5000, userBurst: -3, organizationRequests: '7', organizationBurst: 2.5 })).toEqual({
      userRequests: 1000,
      userBurst: 0,
      organizationRequests: 1000,
      organizationBurst: 500,
    })
    expect(effectiveLimits(config, 'nonsense')).toEqual(effectiveLimits(config, {}))
  })
})

describe.each<StoreName>(['memory', 'postgres', 'redis'])('%s store', (store) => {
  beforeEach(async (context) => {
    if (store === 'redis') await requireRedis(context)
  })

  test('a window admits its quota, refuses the next with the time to wait, and resets', async () => {
    const limits = await open(store, { RATE_LIMIT_IP_MAX_REQUESTS: '3', RATE_LIMIT_IP_WINDOW_MS: '1000' })
    const ip = '203.0.113.7'
    for (let i = 0; i < 3; i++) expect(admitted(await limits.request(ip))).toBe(true)
    const [, refused] = await limits.request(ip)
    expect(refused).toMatchObject({ limited: true, remaining: 0, policy: { name: 'ip', quota: 3, windowSeconds: 1 } })
    expect(refused!.resetSeconds).toBeLessThanOrEqual(1)
    expect(admitted(await limits.request('203.0.113.8')), 'another address has its own count').toBe(true)
    await expectCountedInStore(limits)
    await sleep(1100)
    expect(admitted(await limits.request(ip))).toBe(true)
  })

  test('a burst allowance admits extra requests on top of the sustained rate, then refuses', async () => {
    const limits = await open(store, { RATE_LIMIT_MAX_REQUESTS: '3', RATE_LIMIT_BURST: '2' })
    const ids = { userId: randomUUID(), organizationId: randomUUID() }
    const seen = []
    for (let i = 0; i < 6; i++) seen.push((await limits.tenant(ids, noOverrides))[0]!)
    expect(seen.map((o) => [o.policy.name, o.remaining, o.limited])).toEqual([
      ['user', 2, false],
      ['user', 1, false],
      ['user', 0, false],
      ['user-burst', 1, false],
      ['user-burst', 0, false],
      ['user', 0, true],
    ])
    expect(seen[5]!.firstRefusal).toBe(true)
    await expectCountedInStore(limits)
  })

  test("an organization's own limit applies from the next request after it changes", async () => {
    const limits = await open(store)
    const ids = { userId: randomUUID(), organizationId: randomUUID() }
    const stored = { userRequests: 2, userBurst: 0 }
    expect(admitted(await limits.tenant(ids, stored))).toBe(true)
    expect(admitted(await limits.tenant(ids, stored))).toBe(true)
    expect(admitted(await limits.tenant(ids, stored))).toBe(false)
    const [user] = await limits.tenant(ids, { userRequests: 5, userBurst: 0 })
    expect(user).toMatchObject({ limited: false, remaining: 1, policy: { name: 'user', quota: 5 } })
    await expectCountedInStore(limits)
  })

  test('an expensive endpoint has its own hourly limit per organization', async () => {
    const limits = await open(store, { RATE_LIMIT_INVITES_PER_HOUR: '2' })
    const [org, other] = [randomUUID(), randomUUID()]
    expect((await limits.endpoint(org, 'invite')).limited).toBe(false)
    expect((await limits.endpoint(org, 'invite')).limited).toBe(false)
    expect(await limits.endpoint(org, 'invite')).toMatchObject({ limited: true, policy: { name: 'invite', quota: 2, windowSeconds: 3600 } })
    expect((await limits.endpoint(org, 'export')).limited, 'another endpoint').toBe(false)
    expect((await limits.endpoint(other, 'invite')).limited, 'another organization').toBe(false)
    await expectCountedInStore(limits)
  })

  test('an organization over its own limit is refused whoever asks', async () => {
    const limits = await open(store)
    const organizationId = randomUUID()
    const stored = { organizationRequests: 2, organizationBurst: 0 }
    expect(admitted(await limits.tenant({ userId: randomUUID(), organizationId }, stored))).toBe(true)
    expect(admitted(await limits.tenant({ userId: randomUUID(), organizationId }, stored))).toBe(true)
    const [, org] = await limits.tenant({ userId: randomUUID(), organizationId }, stored)
    expect(org).toMatchObject({ limited: true, policy: { name: 'organization', quota: 2 } })
    await expectCountedInStore(limits)
  })
})

describe.each<StoreName>(['postgres', 'redis'])('%s store shared by two app processes', (store) => {
  beforeEach(async (context) => {
    if (store === 'redis') await requireRedis(context)
  })

  test('N concurrent requests against a limit L: exactly L admitted', async () => {
    const env = { RATE_LIMIT_MAX_REQUESTS: '15', RATE_LIMIT_BURST: '0' }
    const config = limitsConfig(store, env)
    const [a, b] = await Promise.all([openLimits(config), openLimits(config)])
    opened.push(a, b)
    const ids = { userId: randomUUID(), organizationId: randomUUID() }
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).tenant(ids, noOverrides)))
    expect(results.filter(admitted)).toHaveLength(15)
    await expectCountedInStore(a)
  })
})

describe('when the store fails', () => {
  test('Redis unreachable: every request is answered at once and limited per process', async () => {
    const limits = await open('redis', { REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_IP_MAX_REQUESTS: '3' })
    const started = performance.now()
    const results = []
    for (let i = 0; i < 5; i++) results.push(admitted(await limits.request('198.51.100.1')))
    expect(results).toEqual([true, true, true, false, false])
    const ids = { userId: randomUUID(), organizationId: randomUUID() }
    const oneRequest = { userRequests: 1, userBurst: 0 }
    expect(admitted(await limits.tenant(ids, oneRequest)), 'member limits too').toBe(true)
    expect(admitted(await limits.tenant(ids, oneRequest))).toBe(false)
    expect(performance.now() - started).toBeLessThan(1000)
  })

  test('Redis lost mid-run: limits hold per process; Redis back: shared again', async (context) => {
    await requireRedis(context)
    const relay = await redisRelay()
    const config = limitsConfig('redis', { RATE_LIMIT_IP_MAX_REQUESTS: '4' })
    const viaRelay = await openLimits({ ...config, REDIS_URL: relay.url() })
    const direct = await openLimits(config)
    opened.push(viaRelay, direct)
    // Shared: a request through one is counted by the other (a fresh address each probe).
    const shared = async () => {
      const probe = `192.0.2.${Math.floor(Math.random() * 250) + 1}:${randomUUID()}`
      await viaRelay.request(probe)
      const [, state] = await direct.request(probe)
      return state!.remaining === 2
    }
    await until(shared)
    const ip = '198.51.100.2'
    expect(admitted(await viaRelay.request(ip))).toBe(true) // 1 in Redis
    await expectCountedInStore(direct)

    await relay.cut()
    const during = []
    for (let i = 0; i < 5; i++) during.push(admitted(await viaRelay.request(ip)))
    expect(during, 'the insurance limiter counts from zero in this process').toEqual([true, true, true, true, false])
    expect(await shared()).toBe(false)

    await relay.restore()
    await until(shared)
    expect(admitted(await direct.request(ip))).toBe(true) // 2 in Redis
    expect(admitted(await viaRelay.request(ip))).toBe(true) // 3
    expect(admitted(await direct.request(ip))).toBe(true) // 4
    expect(admitted(await viaRelay.request(ip))).toBe(false)
  })

  test('Postgres store unreachable: served and limited per process', async () => {
    const limits = await open('postgres', {
      APP_DATABASE_URL: 'postgres://nextsaas_app:x@127.0.0.1:1/none',
      RATE_LIMIT_IP_MAX_REQUESTS: '2',
    })
    const results = []
    for (let i = 0; i < 3; i++) results.push(admitted(await limits.request('198.51.100.4')))
    expect(results).toEqual([true, true, false])
  })
})

describe('brute-force guards', () => {
  const guardOf = async (store: StoreName) => {
    const limits = await open(store, {
      RATE_LIMIT_SIGNIN_FAILURES: '3',
      RATE_LIMIT_SIGNIN_LOCK_SECONDS: '1',
      RATE_LIMIT_SIGNIN_MAX_LOCK_SECONDS: '4',
    })
    return { guard: limits.signIn, limits }
  }

  test.for<StoreName>(['postgres', 'redis'])('%s: parallel guesses cannot slip past the free attempts', async (store, context) => {
    if (store === 'redis') await requireRedis(context)
    const { guard, limits } = await guardOf(store)
    const email = `${randomUUID()}@example.test`
    const started = await Promise.all(Array.from({ length: 12 }, () => guard.begin(email, '192.0.2.1')))
    const attempts = started.flatMap((s) => ('attempt' in s ? [s.attempt] : []))
    expect(attempts).toHaveLength(3)
    const blocks = await Promise.all(attempts.map((a) => guard.failed(a)))
    expect(blocks.filter(Boolean).map((b) => b!.reasons)).toEqual([['consecutive']])
    expect('refused' in (await guard.begin(email, '192.0.2.1'))).toBe(true)
    await expectCountedInStore(limits)
  })

  test('each failure after a lock doubles the next lock; a success starts over', async (context) => {
    await requireRedis(context)
    const { guard, limits } = await guardOf('redis')
    const email = `${randomUUID()}@example.test`
    const fail = async () => {
      const started = await guard.begin(email, '192.0.2.2')
      if ('refused' in started) return { refusedFor: started.refused.resetSeconds }
      return { blockedFor: (await guard.failed(started.attempt))?.outcome.resetSeconds ?? 0 }
    }
    expect([await fail(), await fail(), await fail()]).toEqual([{ blockedFor: 0 }, { blockedFor: 0 }, { blockedFor: 1 }])
    await expectCountedInStore(limits)
    expect(await fail()).toEqual({ refusedFor: 1 })
    await sleep(1100)
    expect(await fail()).toEqual({ blockedFor: 2 })
    await sleep(2100)
    expect(await fail()).toEqual({ blockedFor: 4 })
    await sleep(4100)
    const started = await guard.begin(email, '192.0.2.2')
    expect('attempt' in started).toBe(true)
    if ('attempt' in started) await guard.succeeded(started.attempt)
    expect([await fail(), await fail()]).toEqual([{ blockedFor: 0 }, { blockedFor: 0 }])
  }, 20_000)

  test('invitation links, per address: a real token found neither counts nor clears the streak, and frees the lock', async (context) => {
    await requireRedis(context)
    const limits = await open('redis', { RATE_LIMIT_INVITATION_FAILURES: '2', RATE_LIMIT_SIGNIN_LOCK_SECONDS: '1' })
    const guard = limits.invitationLinks
    const ip = `192.0.2.${Math.floor(Math.random() * 250) + 1}`
    const attempt = async () => {
      const started = await guard.begin(null, ip)
      if ('refused' in started) throw new Error(`refused for ${started.refused.resetSeconds} s`)
      return started.attempt
    }
    const blockedFor = async () => (await guard.failed(await attempt()))?.outcome.resetSeconds ?? 0
    expect(await blockedFor()).toBe(0)
    await guard.neutral(await attempt())
    expect(await blockedFor(), 'the second failure locks, for the first lock').toBe(1)
    await expectCountedInStore(limits)
    expect('refused' in (await guard.begin(null, ip))).toBe(true)
    await sleep(1100)
    await guard.neutral(await attempt())
    expect(await blockedFor(), 'admitted at once, and the lock doubles from the third failure').toBe(2)
  })
})
