import { createHash } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { Client, PASSWORD, signedUpClient, uniqueEmail } from '../utils/app'
import { setupApp } from '../utils/fixture'

const ctx = setupApp()

const token = (client: Client) => client.cookie.split('=')[1]!

describe('sign-up', () => {
  test('creates the account, signs in and stores only a hash of the session token', async () => {
    const client = await signedUpClient(ctx.origin, 'Ada Lovelace')
    expect(client.cookie).toMatch(/^nextsaas_session=/)
    const home = await client.get('/orgs')
    expect(home.status).toBe(200)
    expect(await home.text()).toContain(client.email)

    const sessions = await ctx.admin.query('select s.id from auth.sessions s join auth.users u on u.id = s.user_id where u.email = $1', [
      client.email,
    ])
    expect(sessions.rows).toHaveLength(1)
    expect(sessions.rows[0].id).not.toBe(token(client))
    expect(sessions.rows[0].id).toBe(createHash('sha256').update(token(client)).digest('hex'))
  })

  test('sets an HttpOnly, SameSite=Lax cookie (Secure only over HTTPS)', async () => {
    const response = await new Client(ctx.origin).post('/signup', { name: 'Cookie', email: uniqueEmail(), password: PASSWORD })
    const cookie = response.headers.getSetCookie()[0]!
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Lax/i)
    expect(cookie).not.toMatch(/Secure/i)
  })

  test('keeps the password out of the users table', async () => {
    const client = await signedUpClient(ctx.origin)
    const user = await ctx.admin.query('select * from auth.users where email = $1', [client.email])
    expect(JSON.stringify(user.rows[0])).not.toMatch(/argon2/)
    const hash = await ctx.admin.query('select p.hash from auth.passwords p join auth.users u on u.id = p.user_id where u.email = $1', [client.email])
    expect(hash.rows[0].hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
  })

  test('rejects invalid input with field errors and keeps what was typed (but not the password)', async () => {
    const response = await new Client(ctx.origin).post('/signup', { name: 'Grace Hopper', email: 'not-an-email', password: 'short' })
    expect(response.status).toBe(422)
    const html = await response.text()
    expect(html).toContain('Enter a valid email address')
    expect(html).toContain('Use at least 12 characters')
    expect(html).toContain('value="Grace Hopper"')
    expect(html).toContain('value="not-an-email"')
    expect(html).not.toContain('value="short"')
  })

  test('refuses a second account for the same email, whatever its case', async () => {
    const first = await signedUpClient(ctx.origin)
    const response = await new Client(ctx.origin).post('/signup', { name: 'Twin', email: first.email.toUpperCase(), password: PASSWORD })
    expect(response.status).toBe(409)
    expect(await response.text()).toContain('An account with this email already exists')
  })
})

describe('sign-in', () => {
  test('signs in with the right password and follows a same-site redirectTo', async () => {
    const { email } = await signedUpClient(ctx.origin)
    const client = new Client(ctx.origin)
    const response = await client.post('/login', { email, password: PASSWORD, redirectTo: '/orgs/new' })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('/orgs/new')
    expect((await client.get('/orgs/new')).status).toBe(200)
  })

  test('never redirects off-site after sign-in', async () => {
    const { email } = await signedUpClient(ctx.origin)
    const response = await new Client(ctx.origin).post('/login', { email, password: PASSWORD, redirectTo: '//evil.example/x' })
    expect(response.headers.get('location')).toBe('/orgs')
  })

  test('gives the same generic error for a wrong password and an unknown account', async () => {
    const { email } = await signedUpClient(ctx.origin)
    const wrong = await new Client(ctx.origin).post('/login', { email, password: 'wrong password here' })
    const unknown = await new Client(ctx.origin).post('/login', { email: uniqueEmail('ghost'), password: 'wrong password here' })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    const message = 'Email or password is incorrect.'
    expect(await wrong.text()).toContain(message)
    expect(await unknown.text()).toContain(message)
    expect(wrong.headers.getSetCookie()).toEqual([])
  })

  test('records sign-in attempts in the audit log', async () => {
    const { email } = await signedUpClient(ctx.origin)
    await new Client(ctx.origin).post('/login', { email, password: 'wrong password here' })
    const rows = await ctx.admin.query(
      `select a.action, a.result from audit_logs a join auth.users u on u.id = a.user_id where u.email = $1 order by a.created_at`,
      [email],
    )
    expect(rows.rows).toEqual([
      { action: 'user.signed_up', result: 'success' },
      { action: 'user.signed_in', result: 'failure' },
    ])
  })

  test('issues a new session on every sign-in (no fixation)', async () => {
    const client = await signedUpClient(ctx.origin)
    const before = token(client)
    const response = await client.post('/login', { email: client.email, password: PASSWORD })
    expect(response.status).toBe(302)
    expect(token(client)).not.toBe(before)
    const { rows } = await ctx.admin.query(
      'select count(*)::int as n from auth.sessions s join auth.users u on u.id = s.user_id where u.email = $1',
      [client.email],
    )
    expect(rows[0].n).toBe(2)
  })
})

describe('sign-out and expiry', () => {
  test('sign-out invalidates the session on the server', async () => {
    const client = await signedUpClient(ctx.origin)
    const stolen = client.cookie
    const response = await client.post('/logout', {})
    expect(response.status).toBe(302)
    expect(client.cookie).toBe('')
    const replay = await new Client(ctx.origin).get('/orgs', { headers: { cookie: stolen } })
    expect(replay.status).toBe(302)
    expect(replay.headers.get('location')).toMatch(/^\/login\?redirectTo=%2Forgs/)
  })

  test('an expired session signs the user out and clears the cookie', async () => {
    const client = await signedUpClient(ctx.origin)
    await ctx.admin.query(`update auth.sessions set expires_at = now() - interval '1 second' where id = $1`, [
      createHash('sha256').update(token(client)).digest('hex'),
    ])
    const response = await client.get('/orgs')
    expect(response.status).toBe(302)
    expect(client.cookie).toBe('')
  })

  test('a session past half its idle period is extended (its cookie lives to the absolute deadline, so it stays as it is)', async () => {
    const client = await signedUpClient(ctx.origin)
    const id = createHash('sha256').update(token(client)).digest('hex')
    await ctx.admin.query(`update auth.sessions set expires_at = now() + interval '1 day' where id = $1`, [id])
    const response = await client.get('/orgs')
    expect(response.status).toBe(200)
    const { rows } = await ctx.admin.query(`select expires_at > now() + interval '20 days' as extended from auth.sessions where id = $1`, [id])
    expect(rows[0].extended).toBe(true)
  })
})

describe('cross-site request forgery', () => {
  test('a POST whose Origin is another site is refused with 403 and changes nothing', async () => {
    const client = await signedUpClient(ctx.origin)
    const response = await client.post('/orgs/new', { name: 'Forged Org' }, { headers: { origin: 'https://evil.example' } })
    expect(response.status).toBe(403)
    const { rows } = await ctx.admin.query(`select 1 from organizations where name = 'Forged Org'`)
    expect(rows).toHaveLength(0)
  })

  test('a cookie-carrying POST without Origin is refused', async () => {
    const client = await signedUpClient(ctx.origin)
    const response = await fetch(new URL('/orgs/new', ctx.origin), {
      method: 'POST',
      body: new URLSearchParams({ name: 'No Origin Org' }),
      headers: { cookie: client.cookie },
      redirect: 'manual',
    })
    expect(response.status).toBe(403)
  })
})
