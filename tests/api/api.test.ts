/**
 * The JSON API's envelope and its authentication: every failure is the error
 * envelope with the request's traceId, and only a valid bearer token (a
 * session from /api/auth, never the cookie) gets in.
 */
import { createHash } from 'node:crypto'
import { beforeAll, describe, expect, test } from 'vitest'
import { ApiClient, apiCreateOrg, apiSignup, expectData, expectError, type ApiUser } from '../utils/api'
import { PASSWORD, signedUpClient } from '../utils/app'
import { setupApp } from '../utils/fixture'

const ctx = setupApp()
let anonymous: ApiClient
let alice: ApiUser

beforeAll(async () => {
  anonymous = new ApiClient(ctx.origin)
  alice = await apiSignup(ctx.origin, 'Alice Api')
})

describe('the envelope', () => {
  test('an unknown API route is a 404 envelope, whatever the method and depth', async () => {
    for (const [method, path] of [
      ['GET', '/api/nothing-here'],
      ['POST', '/api/organizations/00000000-0000-4000-8000-000000000000/nothing'],
      ['DELETE', '/api'],
      ['PATCH', '/api/auth'],
    ] as const) {
      expectError(await alice.client.request(method, path, method === 'GET' || method === 'DELETE' ? undefined : {}), 404, 'NOT_FOUND')
    }
  })

  test('a method the route lacks is a 405 envelope with Allow', async () => {
    const response = await alice.client.put('/api/organizations', { name: 'x' })
    expect(expectError(response, 405, 'METHOD_NOT_ALLOWED').details).toEqual({ allowed: ['GET', 'POST', 'HEAD'] })
    expect(response.headers.get('allow')).toBe('GET, POST, HEAD')
    expectError(await anonymous.get('/api/auth/login'), 405, 'METHOD_NOT_ALLOWED')
  })

  test('methods Remix does not route (OPTIONS, TRACE-like) still answer with the envelope', async () => {
    const response = await anonymous.request('OPTIONS', '/api/organizations')
    expectError(response, 405, 'METHOD_NOT_ALLOWED')
  })

  test('the traceId is the x-request-id the client sent, when it is well formed', async () => {
    const response = await anonymous.get('/api/organizations', { headers: { 'x-request-id': 'client-trace-42' } })
    expect(expectError(response, 401).traceId).toBe('client-trace-42')
  })

  test('a body that is not JSON is a 415; malformed JSON a 400; neither writes anything', async () => {
    const before = await countOrganizations()
    expectError(
      await alice.client.post('/api/organizations', 'name=x', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    )
    expectError(await alice.client.post('/api/organizations', '{"name": "x"', {}), 400, 'MALFORMED_JSON')
    expectError(await alice.client.post('/api/organizations', '', {}), 400, 'MALFORMED_JSON')
    expect(await countOrganizations()).toBe(before)
  })

  test('an oversized body is a 413 envelope, with or without Content-Length', async () => {
    const huge = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) })
    expectError(await alice.client.post('/api/organizations', huge), 413, 'PAYLOAD_TOO_LARGE')
    const overApiLimit = JSON.stringify({ name: 'x'.repeat(100 * 1024) })
    expectError(await alice.client.post('/api/organizations', overApiLimit), 413, 'PAYLOAD_TOO_LARGE')
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(overApiLimit))
        controller.close()
      },
    })
    const response = await alice.client.request('POST', '/api/organizations', undefined, {
      body: chunked,
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    } as RequestInit)
    expectError(response, 413, 'PAYLOAD_TOO_LARGE')
  })

  test('a cross-origin write with a cookie is refused in the envelope', async () => {
    const response = await alice.client.post('/api/organizations', { name: 'x' }, { headers: { origin: 'https://evil.example', cookie: 'a=b' } })
    expectError(response, 403, 'CROSS_ORIGIN')
  })

  test('validation failures are 422 with a message per field', async () => {
    const error = expectError(await alice.client.post('/api/organizations', { name: '' }), 422, 'VALIDATION_FAILED')
    expect(error.details).toEqual({ name: ['Name is required'] })
  })

  test('authenticated responses are never cached and carry x-request-id', async () => {
    const response = await alice.client.get('/api/organizations')
    expectData(response)
    expect(response.headers.get('x-request-id')).toBeTruthy()
  })
})

describe('authentication', () => {
  test('sign-up returns 201 with a token and the user; the token works', async () => {
    const email = `API-Signup-${Date.now()}@Example.test`
    const response = await anonymous.post('/api/auth/signup', { name: 'Sam Signup', email, password: PASSWORD })
    const data = expectData(response, 201)
    expect(response.headers.get('location')).toBe('/api/auth/me')
    expect(data).toEqual({ token: expect.any(String), user: { id: expect.any(String), email: email.toLowerCase(), name: 'Sam Signup' } })
    const me = expectData(await anonymous.as(data.token).get('/api/auth/me'))
    expect(me.user.id).toBe(data.user.id)
    const session = await ctx.admin.query('select id from auth.sessions where user_id = $1', [data.user.id])
    expect(session.rows).toHaveLength(1)
    expect(session.rows[0].id).not.toContain(data.token)
  })

  test('sign-up with a taken email is a 409 on the email field', async () => {
    const error = expectError(
      await anonymous.post('/api/auth/signup', { name: 'Again', email: alice.user.email, password: PASSWORD }),
      409,
      'EMAIL_TAKEN',
    )
    expect(Object.keys(error.details)).toEqual(['email'])
  })

  test('sign-up validates with the form rules and never echoes the password', async () => {
    const response = await anonymous.post('/api/auth/signup', { name: 'Short', email: 'not-an-email', password: 'short-pw' })
    const error = expectError(response, 422, 'VALIDATION_FAILED')
    expect(error.details).toEqual({ email: ['Enter a valid email address'], password: ['Use at least 12 characters'] })
    expect(response.text).not.toContain('short-pw')
  })

  test('login returns a new token; a wrong password or unknown email get the same 401', async () => {
    const ok = expectData(await anonymous.post('/api/auth/login', { email: alice.user.email, password: PASSWORD }))
    expect(ok.token).not.toBe(alice.token)
    expect(ok.user).toEqual(alice.user)
    const wrong = expectError(
      await anonymous.post('/api/auth/login', { email: alice.user.email, password: 'wrong password!!' }),
      401,
      'INVALID_CREDENTIALS',
    )
    const unknown = expectError(
      await anonymous.post('/api/auth/login', { email: 'nobody@example.test', password: 'wrong password!!' }),
      401,
      'INVALID_CREDENTIALS',
    )
    expect(wrong.message).toBe(unknown.message)
    const audit = await ctx.admin.query(
      `select count(*)::int as n from audit_logs where user_id = $1 and action = 'user.signed_in' and result = 'failure'`,
      [alice.user.id],
    )
    expect(audit.rows[0].n).toBeGreaterThan(0)
  })

  test('logout ends the session: the token then gets 401', async () => {
    const { token } = expectData(await anonymous.post('/api/auth/login', { email: alice.user.email, password: PASSWORD }))
    const client = anonymous.as(token)
    expect((await client.post('/api/auth/logout')).status).toBe(204)
    expectError(await client.get('/api/organizations'), 401, 'UNAUTHORIZED')
  })

  test('missing, malformed, unknown and expired tokens are 401 with WWW-Authenticate', async () => {
    const unknownToken = 'x'.repeat(43)
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Basic abc' },
      { authorization: 'Bearer' },
      { authorization: `Bearer ${unknownToken}` },
      { authorization: 'Bearer nsp_unknown' },
    ]) {
      const response = await anonymous.get('/api/organizations', { headers })
      expectError(response, 401, 'UNAUTHORIZED')
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
    }
    const { token } = expectData(await anonymous.post('/api/auth/login', { email: alice.user.email, password: PASSWORD }))
    await ctx.admin.query(`update auth.sessions set created_at = now() - interval '400 days' where id = $1`, [sha256(token)])
    expectError(await anonymous.as(token).get('/api/organizations'), 401, 'UNAUTHORIZED')
  })

  test('the session cookie alone does not authenticate the API', async () => {
    const browser = await signedUpClient(ctx.origin, 'Cookie Carl')
    const response = await anonymous.get('/api/organizations', { headers: { cookie: browser.cookie } })
    expectError(response, 401, 'UNAUTHORIZED')
    // …and the browser's own session still works for pages.
    expect((await browser.get('/orgs')).status).toBe(200)
  })

  test('an account cannot read another account’s data with its own token', async () => {
    const bob = await apiSignup(ctx.origin, 'Bob Api')
    const orgId = await apiCreateOrg(alice.client, 'Alice Private')
    expectError(await bob.client.get(`/api/organizations/${orgId}`), 404, 'NOT_FOUND')
  })
})

async function countOrganizations() {
  return Number((await ctx.admin.query('select count(*) from organizations')).rows[0].count)
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
