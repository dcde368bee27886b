/**
 * Client addresses that cannot be forged. The test plays the proxy in front of
 * the app as the configuration describes it — one hop that appends the real
 * address to X-Forwarded-For, or Fly's proxy that sets Fly-Client-IP — while
 * the client forges both headers. Nothing the client sends moves the per-IP
 * limit, blocks an innocent address, or lands in an audit row, a session or
 * a security event.
 */
import { describe, expect, test } from 'vitest'
import { parseConfig, type Config } from '~/lib/config.server'
import { Client, PASSWORD, startApp, uniqueEmail } from '../utils/app'
import { setupDatabase } from '../utils/fixture'
import { uniquePrefix } from '../utils/rate-limit'

const db = setupDatabase()

/** Its own counters in memory, a small per-IP limit and a block after three refusals. */
async function appBehind(trust: Partial<Config>) {
  return startApp({
    ...trust,
    RATE_LIMIT_STORE: 'memory',
    RATE_LIMIT_KEY_PREFIX: uniquePrefix('ip'),
    RATE_LIMIT_IP_MAX_REQUESTS: 6,
    RATE_LIMIT_SIGNIN_FAILURES: 2,
    SECURITY_BLOCK_THRESHOLD: 3,
    SECURITY_BLOCK_SECONDS: 60,
  })
}

const FORGED = { 'x-forwarded-for': '6.6.6.6', 'fly-client-ip': '6.6.6.7', 'x-real-ip': '6.6.6.8' }
const ATTACK = `/login?q=${encodeURIComponent("' OR '1'='1' --")}`

/** What reaches the app from `real` through one proxy that appends to X-Forwarded-For. */
const throughOneProxy = (real: string, forged = '6.6.6.6') => ({ ...FORGED, 'x-forwarded-for': `${forged}, ${real}` })
/** What reaches the app through Fly's proxy: it sets Fly-Client-IP and appends the client and its own edge address. */
const throughFly = (real: string, forged = '6.6.6.6') => ({ ...FORGED, 'fly-client-ip': real, 'x-forwarded-for': `${forged}, ${real}, 66.241.124.1` })

async function recordedAddresses(email: string) {
  const { rows } = await db.admin.query(
    `select 'audit' as source, host(a.ip_address) as ip from audit_logs a join auth.users u on u.id = a.user_id where u.email = $1
     union all
     select 'session', host(s.ip_address) from auth.sessions s join auth.users u on u.id = s.user_id where u.email = $1`,
    [email],
  )
  return rows as { source: string; ip: string | null }[]
}

/** The addresses among `candidates` that security events were recorded for. */
async function securityEventAddresses(candidates: string[]) {
  const { rows } = await db.admin.query(
    'select distinct host(ip_address) as ip from security_events where host(ip_address) = any($1::text[]) order by 1',
    [candidates],
  )
  return rows.map((row) => row.ip as string)
}

describe('the configuration', () => {
  const parse = (env: Record<string, string>) => parseConfig({ NODE_ENV: 'test', ...env })

  test('refuses TRUST_PROXY=true, which would believe any X-Forwarded-For', () => {
    expect(() => parse({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: true would believe every X-Forwarded-For entry/)
  })

  test('takes a number of proxies or a list of their addresses', () => {
    expect(parse({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1)
    expect(parse({ TRUST_PROXY: '10.0.0.0/8, loopback,fdaa::/16' }).TRUST_PROXY).toEqual(['10.0.0.0/8', 'loopback', 'fdaa::/16'])
    expect(parse({}).TRUST_PROXY).toBe(false)
    expect(parse({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false)
    expect(() => parse({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/not a proxy address: 10\.0\.0\.0\/33/)
    expect(() => parse({ TRUST_PROXY: 'yes' })).toThrow(/not a proxy address: yes/)
  })

  test('believes Fly-Client-IP only on Fly.io', () => {
    expect(parse({ FLY_APP_NAME: 'nextsaas' }).TRUST_PROXY).toBe('fly')
    expect(parse({ FLY_APP_NAME: 'nextsaas', TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2)
    expect(() => parse({ TRUST_PROXY: 'fly' })).toThrow(/fly only on Fly\.io/)
  })
})

describe.each([
  { name: 'behind one proxy (TRUST_PROXY=1)', trust: { TRUST_PROXY: 1 } as Partial<Config>, via: throughOneProxy, net: '203.0.113' },
  {
    name: 'on Fly.io (TRUST_PROXY=fly)',
    trust: { TRUST_PROXY: 'fly', FLY_APP_NAME: 'nextsaas' } as Partial<Config>,
    via: throughFly,
    net: '198.51.100',
  },
])('$name, a client forging its address', ({ trust, via, net }) => {
  test('still counts against its real address: a new forged address each time resets nothing', async () => {
    const app = await appBehind(trust)
    try {
      const statuses = []
      for (let i = 1; i <= 7; i++) statuses.push((await fetch(`${app.origin}/login`, { headers: via(`${net}.10`, `6.6.${i}.${i}`) })).status)
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429])
      // The forged addresses were never counted: a client really at one of them is served.
      expect((await fetch(`${app.origin}/login`, { headers: via('6.6.1.1', `${net}.10`) })).status).toBe(200)
    } finally {
      await app.close()
    }
  })

  test('cannot get an innocent address blocked, and the attacks are recorded against its own', async () => {
    const app = await appBehind(trust)
    try {
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${app.origin}${ATTACK}`, { headers: via(`${net}.20`, `${net}.21`) })
        expect(response.status).toBe(403)
      }
      expect((await fetch(`${app.origin}/login`, { headers: via(`${net}.20`) })).status, 'the attacker is blocked').toBe(403)
      expect((await fetch(`${app.origin}/login`, { headers: via(`${net}.21`) })).status, 'the address it named is not').toBe(200)
      expect(await securityEventAddresses([`${net}.20`, `${net}.21`, ...Object.values(FORGED)])).toEqual([`${net}.20`])
    } finally {
      await app.close()
    }
  })

  test('cannot dodge the sign-in lockout: the (email, address) pair is its real address', async () => {
    const app = await appBehind(trust)
    try {
      const email = uniqueEmail('locked')
      expect((await new Client(app.origin, via(`${net}.41`)).post('/signup', { name: 'Locked', email, password: PASSWORD })).status).toBe(302)
      const attempt = (forged: string, password: string) => new Client(app.origin, via(`${net}.40`, forged)).post('/login', { email, password })
      expect((await attempt('6.6.6.1', 'wrong password one')).status).toBe(401)
      expect((await attempt('6.6.6.2', 'wrong password two')).status, 'the failure that locks').toBe(429)
      expect((await attempt('6.6.6.3', PASSWORD)).status, 'locked, even with the right password').toBe(429)
      const { rows } = await db.admin.query(
        `select host(a.ip_address) as ip from audit_logs a join auth.users u on u.id = a.user_id where u.email = $1 and a.action = 'user.sign_in_blocked'`,
        [email],
      )
      expect(rows).toEqual([{ ip: `${net}.40` }])
    } finally {
      await app.close()
    }
  })

  test('has its real address in its audit rows and its session', async () => {
    const app = await appBehind(trust)
    try {
      const client = new Client(app.origin, via(`${net}.30`))
      const email = uniqueEmail('forger')
      expect((await client.post('/signup', { name: 'Forger', email, password: PASSWORD })).status).toBe(302)
      const recorded = await recordedAddresses(email)
      expect(recorded.map((r) => r.source)).toEqual(expect.arrayContaining(['audit', 'session']))
      expect(new Set(recorded.map((r) => r.ip))).toEqual(new Set([`${net}.30`]))
    } finally {
      await app.close()
    }
  })
})

describe('with no proxy configured (the default)', () => {
  test('every forwarded header is ignored: the connection is the client', async () => {
    const app = await appBehind({ TRUST_PROXY: false })
    try {
      const client = new Client(app.origin, FORGED)
      const email = uniqueEmail('direct')
      expect((await client.post('/signup', { name: 'Direct', email, password: PASSWORD })).status).toBe(302)
      expect(new Set((await recordedAddresses(email)).map((r) => r.ip))).toEqual(new Set(['127.0.0.1']))
    } finally {
      await app.close()
    }
  })
})
