/**
 * Brute force against the sign-in form, on Redis: the (email, IP) lockout and
 * its reset, the account-wide limit that rotating addresses cannot dodge (only
 * behind a trusted proxy is X-Forwarded-For an address at all), the daily
 * per-IP limit, parallel guesses, generic messages, and the records of each block.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest'
import { Client, startApp, uniqueEmail } from '../utils/app'
import { bruteForceEvents } from '../utils/db'
import { setupApp, type App } from '../utils/fixture'
import { REDIS_URL, redisEntries, requireRedis, uniquePrefix } from '../utils/rate-limit'
import { createTenant } from '../utils/tenants'

vi.stubEnv('RATE_LIMIT_STORE', 'redis')
vi.stubEnv('REDIS_URL', REDIS_URL)
const PREFIX = uniquePrefix('signin')
vi.stubEnv('RATE_LIMIT_KEY_PREFIX', PREFIX)
vi.stubEnv('RATE_LIMIT_SIGNIN_FAILURES', '3')
vi.stubEnv('RATE_LIMIT_SIGNIN_LOCK_SECONDS', '1')
vi.stubEnv('RATE_LIMIT_SIGNIN_MAX_LOCK_SECONDS', '4')
vi.stubEnv('RATE_LIMIT_SIGNIN_ACCOUNT_PER_HOUR', '6')
vi.stubEnv('RATE_LIMIT_SIGNIN_IP_PER_DAY', '10')

const RIGHT = 'not used to sign in' // createTenant's password
const BAD_CREDENTIALS = 'Email or password is incorrect.'
const BLOCKED = /Too many sign-in attempts\. Try again in \d+ seconds?\./

// The app behind a trusted proxy (X-Forwarded-For names the client), and one reached directly.
const ctx = setupApp({ TRUST_PROXY: 1 })
const behindProxy = ctx
let direct: App
beforeAll(async () => {
  direct = await startApp({ TRUST_PROXY: false })
})
afterAll(async () => {
  await direct.close()
  vi.unstubAllEnvs()
})

// Each case proves that it ran on Redis: its attempts changed counters under
// this file's prefix there. (With Redis down, the in-memory insurance limiter
// would answer, and most cases would pass without Redis.) Without Redis the
// cases fail in CI and are skipped elsewhere.
let redisBefore: Map<string, string | null> | undefined
beforeEach(async (context) => {
  redisBefore = undefined
  await requireRedis(context)
  redisBefore = await redisEntries(`${PREFIX}:`)
})
afterEach(async () => {
  if (!redisBefore) return
  const before = redisBefore
  const changed = [...(await redisEntries(`${PREFIX}:`))].filter(([key, value]) => before.get(key) !== value)
  expect(changed, `this case changed no counter under ${PREFIX}: in Redis`).not.toEqual([])
})

async function signIn(app: { origin: string }, email: string, password: string, forwardedFor?: string) {
  const headers: Record<string, string> = forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}
  const response = await new Client(app.origin).post('/login', { email, password }, { headers })
  const html = response.status === 302 ? '' : await response.text()
  return { status: response.status, html, retryAfter: response.headers.get('retry-after'), response }
}

const randomAddress = () => `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function blockAudit(userId: string | null, ip: string) {
  const { rows } = await ctx.admin.query(
    `select details from audit_logs where action = 'user.sign_in_blocked' and host(ip_address) = $1 and user_id is not distinct from $2`,
    [ip, userId],
  )
  return rows.map((r) => r.details)
}

describe('consecutive failures per (email, IP)', () => {
  test('lock the pair, refuse even the right password, record the block; a success starts over', async () => {
    const { user } = await createTenant('Locked')
    const ip = '198.51.100.20'
    expect((await signIn(behindProxy, user.email, 'wrong one', ip)).status).toBe(401)
    expect((await signIn(behindProxy, user.email, 'wrong two', ip)).status).toBe(401)
    const third = await signIn(behindProxy, user.email, 'wrong three', ip)
    expect(third.status).toBe(429)
    expect(third.html).toMatch(BLOCKED)

    const refused = await signIn(behindProxy, user.email, RIGHT, ip)
    expect(refused.status).toBe(429)
    expect(refused.response.headers.getSetCookie()).toEqual([])
    expect(refused.retryAfter).toBe('1')
    expect(refused.response.headers.get('ratelimit-policy')).toBe('"sign-in";q=3;w=86400')
    expect(refused.response.headers.get('ratelimit')).toBe('"sign-in";r=0;t=1')
    expect(refused.html).toMatch(BLOCKED)
    expect(refused.html, 'the form keeps the email').toContain(`value="${user.email}"`)

    expect(await bruteForceEvents(ctx.admin, third.response)).toEqual([
      { rule_id: 'sign-in-email-ip', severity: 'MEDIUM', blocked: true, endpoint: 'POST /login', ip },
    ])
    expect(await blockAudit(user.id, ip)).toEqual([{ reasons: ['email_ip'], failures: 3, retryAfterSeconds: 1 }])
    const attempts = await ctx.admin.query(`select count(*)::int as n from audit_logs where user_id = $1 and action = 'user.signed_in'`, [user.id])
    expect(attempts.rows[0].n, 'the refused attempt checked no password').toBe(3)

    expect((await signIn(behindProxy, user.email, RIGHT, '198.51.100.21')).status, 'another address is not locked').toBe(302)

    await sleep(1100)
    expect((await signIn(behindProxy, user.email, RIGHT, ip)).status).toBe(302)
    expect((await signIn(behindProxy, user.email, 'wrong again', ip)).status).toBe(401)
    expect((await signIn(behindProxy, user.email, 'and again', ip)).status, 'the success reset the count').toBe(401)
  })

  test('the words are the same whether or not the account exists', async () => {
    const { user } = await createTenant('Exists')
    const ghost = uniqueEmail('ghost')
    const runs = []
    for (const [email, ip] of [
      [user.email, '198.51.100.30'],
      [ghost, '198.51.100.31'],
    ] as const) {
      const results = []
      for (let i = 0; i < 4; i++) results.push(await signIn(behindProxy, email, `wrong ${i}`, ip))
      runs.push(results.map((r) => [r.status, r.html.includes(BAD_CREDENTIALS), BLOCKED.test(r.html)]))
    }
    expect(runs[0]).toEqual([
      [401, true, false],
      [401, true, false],
      [429, false, true],
      [429, false, true],
    ])
    expect(runs[1]).toEqual(runs[0])
    expect(await blockAudit(null, '198.51.100.31')).toHaveLength(1)
  })

  test('parallel guesses: only the free attempts are checked', async () => {
    const { user } = await createTenant('Parallel')
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => signIn(behindProxy, user.email, `guess ${i}`, '198.51.100.40')))
    expect(results.filter((r) => r.status === 401)).toHaveLength(2)
    expect(results.filter((r) => r.status === 429)).toHaveLength(6)
    const checked = await ctx.admin.query(`select count(*)::int as n from audit_logs where user_id = $1 and action = 'user.signed_in'`, [user.id])
    expect(checked.rows[0].n).toBe(3)
  })
})

describe('X-Forwarded-For', () => {
  test('without a trusted proxy it is ignored: spoofing it neither dodges nor resets a lock', async () => {
    const { user } = await createTenant('Spoofer')
    const results = []
    for (let i = 0; i < 3; i++) results.push(await signIn(direct, user.email, `wrong ${i}`, randomAddress()))
    expect(results.map((r) => r.status)).toEqual([401, 401, 429])
    expect((await signIn(direct, user.email, RIGHT, randomAddress())).status).toBe(429)
    expect((await signIn(direct, user.email, RIGHT, '127.0.0.1')).status).toBe(429)
    expect(await bruteForceEvents(ctx.admin, results[2]!.response)).toEqual([
      expect.objectContaining({ rule_id: 'sign-in-email-ip', ip: '127.0.0.1' }),
    ])
  })

  test('behind a trusted proxy, rotating addresses still meet the per-account limit', async () => {
    const { user } = await createTenant('Rotated')
    const results = []
    for (let i = 0; i < 6; i++) results.push(await signIn(behindProxy, user.email, `wrong ${i}`, randomAddress()))
    expect(results.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 429])
    const address = randomAddress()
    const refused = await signIn(behindProxy, user.email, RIGHT, address)
    expect(refused.status).toBe(429)
    expect(refused.response.headers.get('ratelimit-policy')).toBe('"sign-in-account";q=6;w=3600')
    expect(await bruteForceEvents(ctx.admin, results[5]!.response)).toEqual([
      expect.objectContaining({ rule_id: 'sign-in-account', severity: 'HIGH' }),
    ])
    const audit = await ctx.admin.query(`select details from audit_logs where action = 'user.sign_in_blocked' and user_id = $1`, [user.id])
    expect(audit.rows).toEqual([{ details: expect.objectContaining({ reasons: ['account'] }) }])
  })
})

test('one address failing against many accounts meets its daily limit', async () => {
  const ip = '198.51.100.50'
  const results = []
  for (let i = 0; i < 10; i++) results.push(await signIn(behindProxy, `${randomUUID()}@example.test`, 'wrong', ip))
  expect(results.map((r) => r.status)).toEqual([...Array(9).fill(401), 429])
  const refused = await signIn(behindProxy, `${randomUUID()}@example.test`, 'wrong', ip)
  expect(refused.status).toBe(429)
  expect(refused.response.headers.get('ratelimit-policy')).toBe('"sign-in-ip";q=10;w=86400')
  expect(await bruteForceEvents(ctx.admin, results[9]!.response)).toEqual([expect.objectContaining({ rule_id: 'sign-in-ip', severity: 'HIGH', ip })])
})

describe('asking a signed-in user for their password again', () => {
  test('a stolen session gets no more guesses at the password than the sign-in form allows', async () => {
    const { user } = await createTenant('Changer')
    const ip = '198.51.100.40'
    const session = new Client(behindProxy.origin, { 'x-forwarded-for': ip })
    expect((await session.post('/login', { email: user.email, password: RIGHT })).status).toBe(302)
    const change = (currentPassword: string) => session.post('/account/password', { currentPassword, newPassword: 'a brand new pass phrase 42' })
    expect((await change('guess one')).status).toBe(422)
    expect((await change('guess two')).status).toBe(422)
    const third = await change('guess three')
    expect(third.status).toBe(429)
    expect(await third.text()).toMatch(BLOCKED)
    const email = await session.post('/account/email', { email: uniqueEmail('moved'), currentPassword: RIGHT })
    expect(email.status, 'the right password is refused while locked, on the email form too').toBe(429)
    const { rows } = await ctx.admin.query('select email from auth.users where id = $1', [user.id])
    expect(rows[0].email).toBe(user.email)
  })
})
