/**
 * API token creation has an hourly allowance per user, whatever organization
 * a token names: the creation after it is refused with the 429 page and its
 * headers, and nothing is written. Other users keep their own allowance.
 */
import { afterAll, expect, test, vi } from 'vitest'
import { createOrg, signedUpClient, type Client } from '../utils/app'
import { setupApp } from '../utils/fixture'
import { uniquePrefix } from '../utils/rate-limit'

vi.stubEnv('RATE_LIMIT_STORE', 'postgres')
vi.stubEnv('RATE_LIMIT_KEY_PREFIX', uniquePrefix('tokens'))
vi.stubEnv('RATE_LIMIT_TOKENS_PER_HOUR', '2')

const ctx = setupApp()
afterAll(() => vi.unstubAllEnvs())

function createToken(client: Client, name: string, organizationId = '') {
  return client.post('/account/tokens', { intent: 'create', name, expiresIn: '30', organizationId })
}

async function written(email: string) {
  const { rows } = await ctx.admin.query(
    `select (select count(*)::int from auth.api_tokens t where t.user_id = u.id) as tokens,
            (select count(*)::int from audit_logs a where a.user_id = u.id and a.action = 'api_token.created') as audited
     from auth.users u where u.email = $1`,
    [email],
  )
  return rows[0]
}

test('the creation after the hourly allowance is refused and writes nothing', async () => {
  const user = await signedUpClient(ctx.origin, 'Token Maker')
  const slug = await createOrg(user, 'Token Maker Org')
  const orgId = (await ctx.admin.query('select id from organizations where slug = $1', [slug])).rows[0].id

  expect((await createToken(user, 'first')).status).toBe(200)
  expect((await createToken(user, 'second', orgId)).status).toBe(200)
  expect((await user.post('/account/tokens', { intent: 'create', name: '', expiresIn: '30' })).status, 'bad input spends nothing').toBe(422)

  for (const organizationId of ['', orgId]) {
    const refused = await createToken(user, 'one too many', organizationId)
    expect(refused.status).toBe(429)
    const retryAfter = Number(refused.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(3500)
    expect(refused.headers.get('ratelimit-policy')).toBe('"token";q=2;w=3600')
    expect(refused.headers.get('ratelimit')).toBe(`"token";r=0;t=${retryAfter}`)
    const html = await refused.text()
    expect(html).toContain('Too many token requests for your account. Try again in 1 hour.')
    expect(html).not.toContain('nsp_')
  }
  expect(await written(user.email)).toEqual({ tokens: 2, audited: 2 })

  const other = await signedUpClient(ctx.origin, 'Other Maker')
  expect((await createToken(other, 'theirs')).status, 'another user has their own allowance').toBe(200)
  expect(await written(other.email)).toEqual({ tokens: 1, audited: 1 })
})
