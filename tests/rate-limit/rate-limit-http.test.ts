/**
 * Rate limits through the real app on the default (Postgres) store: the HTTP
 * layer's per-IP limit before any route runs, requireTenant's per-user limit
 * with its burst, the 429 page and API envelope, and the draft-10 headers.
 * Behind a trusted proxy here, so that each test can speak from its own address.
 */
import { afterAll, expect, test, vi } from 'vitest'
import { Client, PASSWORD, uniqueEmail } from '../utils/app'
import { setupApp } from '../utils/fixture'
import { uniquePrefix } from '../utils/rate-limit'
import { createTenant } from '../utils/tenants'

vi.stubEnv('RATE_LIMIT_STORE', 'postgres')
vi.stubEnv('RATE_LIMIT_KEY_PREFIX', uniquePrefix('http'))
vi.stubEnv('RATE_LIMIT_IP_MAX_REQUESTS', '8')
vi.stubEnv('RATE_LIMIT_MAX_REQUESTS', '3')
vi.stubEnv('RATE_LIMIT_BURST', '1')

const ctx = setupApp({ TRUST_PROXY: 1 })
afterAll(() => vi.unstubAllEnvs())

/** A browser behind the trusted proxy, at one client address. */
const from = (address: string) => new Client(ctx.origin, { 'x-forwarded-for': address })

async function member(address: string) {
  const client = from(address)
  const email = uniqueEmail('limited')
  expect((await client.post('/signup', { name: 'Limited', email, password: PASSWORD })).status).toBe(302)
  const created = await client.post('/orgs/new', { name: 'Limited Org' })
  expect(created.status).toBe(302)
  return { client, email, slug: created.headers.get('location')!.split('/').pop()! }
}

test('a flood from one address gets a friendly 429 page, with the time to wait, before any route runs', async () => {
  const tenant = await createTenant('Flooded')
  const client = from('203.0.113.10')
  for (let i = 0; i < 8; i++) expect((await client.get('/')).status).toBe(200)

  const page = await client.get('/')
  expect(page.status).toBe(429)
  expect(page.headers.get('content-type')).toMatch(/text\/html/)
  const retryAfter = Number(page.headers.get('retry-after'))
  expect(retryAfter).toBeGreaterThanOrEqual(1)
  expect(retryAfter).toBeLessThanOrEqual(60)
  expect(page.headers.get('ratelimit-policy')).toBe('"ip";q=8;w=60')
  expect(page.headers.get('ratelimit')).toBe(`"ip";r=0;t=${retryAfter}`)
  const html = await page.text()
  expect(html).toContain('Too many requests from your network address.')
  expect(html).toMatch(/Try again in (\d+ seconds?|1 minute)\./)
  expect(html).toContain(page.headers.get('x-request-id')!)

  // The right password from the limited address: refused, and nothing happened.
  const signIn = await client.post('/login', { email: tenant.user.email, password: 'not used to sign in' })
  expect(signIn.status).toBe(429)
  expect(signIn.headers.getSetCookie()).toEqual([])
  const audit = await ctx.admin.query(`select 1 from audit_logs where user_id = $1 and action = 'user.signed_in'`, [tenant.user.id])
  expect(audit.rowCount).toBe(0)

  expect((await from('203.0.113.99').get('/')).status, 'other addresses are served').toBe(200)
})

test('an API client over the limit gets the error envelope naming the policy', async () => {
  const client = from('203.0.113.11')
  for (let i = 0; i < 8; i++) expect((await client.get('/api/no-such-thing')).status).toBe(404)
  const response = await client.get('/api/no-such-thing')
  expect(response.status).toBe(429)
  expect(response.headers.get('retry-after')).toMatch(/^\d+$/)
  expect(response.headers.get('ratelimit')).toMatch(/^"ip";r=0;t=\d+$/)
  expect(await response.json()).toEqual({
    error: {
      code: 'RATE_LIMITED',
      message: expect.stringMatching(/^Too many requests from your network address\. Try again in (\d+ seconds?|1 minute)\.$/),
      details: { policy: 'ip', retryAfterSeconds: Number(response.headers.get('retry-after')) },
      traceId: response.headers.get('x-request-id'),
    },
  })
})

test('a successful API response carries the quota left of the tightest policy', async () => {
  const tenant = await createTenant('Api')
  const client = from('203.0.113.12')
  const response = await client.request('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: tenant.user.email, password: 'not used to sign in' }),
  })
  expect(response.status).toBe(200)
  expect(response.headers.get('ratelimit-policy')).toBe('"ip";q=8;w=60')
  expect(response.headers.get('ratelimit')).toMatch(/^"ip";r=7;t=\d+$/)
  expect(response.headers.get('retry-after')).toBeNull()
})

test('a member over their limit and burst gets the 429 page; the window leaves one audit record', async () => {
  const { client, email, slug } = await member('203.0.113.13')
  // 3 sustained + 1 burst
  for (let i = 0; i < 4; i++) expect((await client.get(`/orgs/${slug}`)).status).toBe(200)

  const page = await client.get(`/orgs/${slug}`)
  expect(page.status).toBe(429)
  const retryAfter = Number(page.headers.get('retry-after'))
  expect(retryAfter).toBeGreaterThanOrEqual(1)
  expect(page.headers.get('ratelimit-policy')).toBe('"user";q=3;w=60')
  expect(page.headers.get('ratelimit')).toBe(`"user";r=0;t=${retryAfter}`)
  const html = await page.text()
  expect(html).toContain('Too many requests. Please wait a moment and try again.')
  expect(html).toMatch(/Too many requests from your account\. Try again in (\d+ seconds?|1 minute)\./)

  // From another address too: the limit is the member's, whatever the IP.
  client.headers['x-forwarded-for'] = '203.0.113.14'
  expect((await client.get(`/orgs/${slug}`)).status).toBe(429)
  expect((await client.get(`/orgs/${slug}`)).status).toBe(429)

  const { rows } = await ctx.admin.query(
    `select a.action, a.result, a.details from audit_logs a join auth.users u on u.id = a.user_id
     where u.email = $1 and a.action like 'rate_limit.%'`,
    [email],
  )
  expect(rows).toEqual([
    {
      action: 'rate_limit.exceeded',
      result: 'failure',
      details: { policy: 'user', endpoint: 'GET /orgs/$org', quota: 3, windowSeconds: 60 },
    },
  ])
})
