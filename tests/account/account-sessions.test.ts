import { createHash } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { Client, PASSWORD, signedUpClient, startApp, uniqueEmail } from '../utils/app'
import { setupApp } from '../utils/fixture'

// Short lifetimes, read by the app on first use: a 10-minute idle timeout, a 1-hour absolute one.
process.env.SESSION_IDLE_TIMEOUT = '10m'
process.env.SESSION_ABSOLUTE_TIMEOUT = '1h'

const FIREFOX = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0'

const ctx = setupApp()

const sessionId = (client: Client) => createHash('sha256').update(client.cookie.split('=')[1]!).digest('hex')

async function signedIn(client: Client) {
  const response = await client.get('/account')
  return response.status === 200
}

/** Moves a session's clocks into the past, as if time had passed. */
async function age(client: Client, clocks: { lastSeen?: string; created?: string; expires?: string }) {
  // Only the clocks given are assigned: Citus refuses now() inside COALESCE.
  const assignments = { lastSeen: 'last_seen_at = now() -', created: 'created_at = now() -', expires: 'expires_at = now() +' }
  const given = Object.entries(clocks) as [keyof typeof assignments, string][]
  const set = given.map(([clock], i) => `${assignments[clock]} $${i + 2}::interval`).join(', ')
  await ctx.admin.query(`update auth.sessions set ${set} where id = $1`, [sessionId(client), ...given.map(([, interval]) => interval)])
}

async function sessionRow(client: Client) {
  const { rows } = await ctx.admin.query(
    `select extract(epoch from expires_at - now())::float8 as "idleLeft", extract(epoch from now() - last_seen_at)::float8 as "seenAgo" from auth.sessions where id = $1`,
    [sessionId(client)],
  )
  return rows[0] as { idleLeft: number; seenAgo: number } | undefined
}

async function signInAgain(email: string, userAgent = FIREFOX) {
  const client = new Client(ctx.origin)
  const response = await client.post('/login', { email, password: PASSWORD }, { headers: { 'user-agent': userAgent } })
  expect(response.status).toBe(302)
  return client
}

describe('lifetimes', () => {
  test('the cookie lives as long as the absolute timeout', async () => {
    const response = await new Client(ctx.origin).post('/signup', { name: 'Max Age', email: uniqueEmail(), password: PASSWORD })
    expect(response.headers.getSetCookie()[0]).toMatch(/; Max-Age=3600;/)
  })

  test('using a session moves its idle deadline a full idle period ahead', async () => {
    const client = await signedUpClient(ctx.origin)
    await age(client, { lastSeen: '9 minutes', expires: '1 minute' })
    expect(await signedIn(client)).toBe(true)
    const row = await sessionRow(client)
    expect(row!.seenAgo).toBeLessThan(5)
    expect(row!.idleLeft).toBeGreaterThan(9 * 60)
    expect(row!.idleLeft).toBeLessThanOrEqual(10 * 60)
  })

  test('a session left idle past the timeout ends, on the server and in the browser', async () => {
    const client = await signedUpClient(ctx.origin)
    const stolen = Object.assign(new Client(ctx.origin), { cookie: client.cookie })
    await age(client, { lastSeen: '11 minutes', expires: '-1 minute' })
    const response = await client.get('/account')
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toMatch(/^\/login/)
    expect(client.cookie).toBe('')
    expect(await sessionRow(stolen)).toBeUndefined()
  })

  test('a session in constant use still ends at the absolute timeout', async () => {
    const client = await signedUpClient(ctx.origin)
    const stolen = Object.assign(new Client(ctx.origin), { cookie: client.cookie })
    await age(client, { created: '61 minutes', lastSeen: '10 seconds', expires: '9 minutes' })
    expect(await signedIn(client)).toBe(false)
    expect(client.cookie).toBe('')
    expect(await sessionRow(stolen)).toBeUndefined()
    expect(await signedIn(stolen)).toBe(false)
  })

  test('a session just inside the absolute timeout still works', async () => {
    const client = await signedUpClient(ctx.origin)
    await age(client, { created: '59 minutes' })
    expect(await signedIn(client)).toBe(true)
  })
})

describe('no fixation', () => {
  test('a session token planted before sign-in is never adopted', async () => {
    const { email } = await signedUpClient(ctx.origin)
    const planted = 'nextsaas_session=attacker-chosen-token-value'
    const victim = Object.assign(new Client(ctx.origin), { cookie: planted })
    const response = await victim.post('/login', { email, password: PASSWORD })
    expect(response.status).toBe(302)
    expect(victim.cookie).not.toBe(planted)
    const attacker = Object.assign(new Client(ctx.origin), { cookie: planted })
    expect(await signedIn(attacker)).toBe(false)
    expect(await signedIn(victim)).toBe(true)
  })
})

describe('cookie naming', () => {
  test('in production behind a trusted proxy: __Host- prefix, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain', async () => {
    const live = await startApp({ NODE_ENV: 'production', TRUST_PROXY: 1 })
    try {
      const client = new Client(live.origin)
      const https = { 'x-forwarded-proto': 'https' }
      const response = await client.post('/signup', { name: 'Prod', email: uniqueEmail('prod'), password: PASSWORD }, { headers: https })
      expect(response.status).toBe(302)
      const cookie = response.headers.getSetCookie()[0]!
      expect(cookie).toMatch(/^__Host-nextsaas_session=[\w-]{43};/)
      for (const attribute of ['Secure', 'HttpOnly', 'SameSite=Lax', 'Path=/']) expect(cookie.split('; ')).toContain(attribute)
      expect(cookie).not.toMatch(/Domain=/i)
      expect((await client.get('/account', { headers: https })).status).toBe(200)

      // The unprefixed name, which a sibling subdomain or a plain-http attacker could set, is not read over HTTPS.
      const token = client.cookie.split('=')[1]
      const tossed = await new Client(live.origin).get('/account', { headers: { ...https, cookie: `nextsaas_session=${token}` } })
      expect(tossed.status).toBe(302)
    } finally {
      await live.close()
    }
  })

  test('X-Forwarded-Proto is ignored unless the proxy is trusted', async () => {
    const response = await new Client(ctx.origin).post(
      '/signup',
      { name: 'Spoof', email: uniqueEmail('spoof'), password: PASSWORD },
      { headers: { 'x-forwarded-proto': 'https' } },
    )
    const cookie = response.headers.getSetCookie()[0]!
    expect(cookie).toMatch(/^nextsaas_session=/)
    expect(cookie).not.toMatch(/Secure/)
  })
})

describe('sessions page', () => {
  test('lists every session with its device, IP and last use, marking this one', async () => {
    const client = await signedUpClient(ctx.origin)
    await signInAgain(client.email)
    const html = await (await client.get('/account/sessions')).text()
    expect(html.match(/data-testid="session"/g)).toHaveLength(2)
    expect(html).toContain('Firefox on macOS')
    expect(html).toContain('IP 127.0.0.1')
    expect(html).toMatch(/last seen \d{4}-\d\d-\d\d \d\d:\d\d UTC/)
    expect(html).toContain('This device')
  })

  test('signs out one other session', async () => {
    const client = await signedUpClient(ctx.origin)
    const other = await signInAgain(client.email)
    const response = await client.post('/account/sessions', { intent: 'end', sessionId: sessionId(other) })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('/account/sessions?ended=1')
    expect(await signedIn(other)).toBe(false)
    expect(await signedIn(client)).toBe(true)
  })

  test('signs out all other sessions and keeps this one', async () => {
    const client = await signedUpClient(ctx.origin)
    const others = [await signInAgain(client.email), await signInAgain(client.email)]
    const response = await client.post('/account/sessions', { intent: 'end-others' })
    expect(response.headers.get('location')).toBe('/account/sessions?ended=2')
    for (const other of others) expect(await signedIn(other)).toBe(false)
    expect(await signedIn(client)).toBe(true)
  })

  test("cannot see or end another user's session", async () => {
    const victim = await signedUpClient(ctx.origin, 'Victim User')
    const attacker = await signedUpClient(ctx.origin, 'Attacker User')
    const html = await (await attacker.get('/account/sessions')).text()
    expect(html).not.toContain(sessionId(victim))
    const response = await attacker.post('/account/sessions', { intent: 'end', sessionId: sessionId(victim) })
    expect(response.headers.get('location')).toBe('/account/sessions?ended=0')
    expect(await signedIn(victim)).toBe(true)
  })

  test('refuses a malformed request with 400', async () => {
    const client = await signedUpClient(ctx.origin)
    expect((await client.post('/account/sessions', { intent: 'end', sessionId: 'not-a-session-id' })).status).toBe(400)
    expect((await client.post('/account/sessions', { intent: 'drop-table' })).status).toBe(400)
  })

  test('needs a signed-in user', async () => {
    const response = await new Client(ctx.origin).get('/account/sessions')
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('/login?redirectTo=%2Faccount%2Fsessions')
  })
})
