/**
 * The usage page and per-organization limits: who may see and change them,
 * bad input, the change in force on the very next request, and the 429s it shows.
 */
import { afterAll, expect, test, vi } from 'vitest'
import { createOrg, signedUpClient, type Client } from '../utils/app'
import { setupApp } from '../utils/fixture'
import { uniquePrefix } from '../utils/rate-limit'
import { addMember } from '../utils/tenants'

vi.stubEnv('RATE_LIMIT_STORE', 'postgres')
vi.stubEnv('RATE_LIMIT_KEY_PREFIX', uniquePrefix('usage'))

const ctx = setupApp()
afterAll(() => vi.unstubAllEnvs())

async function organization() {
  const owner = await signedUpClient(ctx.origin, 'Owner')
  const slug = await createOrg(owner, 'Usage Org')
  const { rows } = await ctx.admin.query(`select id from organizations where slug = $1`, [slug])
  return { owner, slug, organizationId: rows[0].id as string }
}

async function joined(organizationId: string, role: string) {
  const client = await signedUpClient(ctx.origin, `${role} Person`)
  const { rows } = await ctx.admin.query(`select id from auth.users where email = $1`, [client.email])
  await addMember(ctx.admin, organizationId, rows[0].id, role)
  return client
}

const usagePath = (slug: string) => `/orgs/${slug}/settings/usage`
const save = (client: Client, slug: string, fields: Record<string, string>) =>
  client.post(usagePath(slug), { userRequests: '', userBurst: '', organizationRequests: '', organizationBurst: '', ...fields })

test('admins see every policy now; the page stands on its own, not inside the settings page', async () => {
  const { owner, slug } = await organization()
  const response = await owner.get(usagePath(slug))
  expect(response.status).toBe(200)
  const html = await response.text()
  expect(html).toContain('Usage and rate limits')
  expect(html).not.toContain('Organization settings')
  for (const policy of ['user', 'user-burst', 'organization', 'organization-burst', 'invite', 'export', 'token']) {
    expect(html).toContain(`data-testid="policy-${policy}"`)
  }
  expect(html).toMatch(/Your requests<\/td><td[^>]*>1 of 100 per minute/)
  expect(html).toContain('No limit was reached.')
})

test('members without settings:manage can neither see nor change the limits', async () => {
  const { organizationId, slug } = await organization()
  const member = await joined(organizationId, 'member')
  expect((await member.get(usagePath(slug))).status).toBe(403)
  expect((await save(member, slug, { userRequests: '1' })).status).toBe(403)
  const { rows } = await ctx.admin.query(`select settings from organizations where id = $1`, [organizationId])
  expect(rows[0].settings).toEqual({})
})

test('bad limits are refused field by field, keeping what was typed', async () => {
  const { owner, slug } = await organization()
  const response = await save(owner, slug, { userRequests: 'lots', userBurst: '-1', organizationRequests: '10001' })
  expect(response.status).toBe(422)
  const html = await response.text()
  expect(html.match(/<li>Enter a whole number<\/li>/g)).toHaveLength(2)
  expect(html).toContain('<li>Use at most 10000 (the system maximum)</li>')
  expect(html).toContain('value="lots"')
  expect(html).toContain('value="10001"')
})

test("an owner's lower limit is in force from the next request, audited, and its 429 shows on the page", async () => {
  const { owner, slug, organizationId } = await organization()
  const admin2 = await joined(organizationId, 'admin')
  const saved = await save(owner, slug, { userRequests: '2', userBurst: '0' })
  expect(saved.status).toBe(302)
  expect(saved.headers.get('location')).toBe(`${usagePath(slug)}?saved=1`)

  // The save was this window's first request; one more fits under the new limit.
  expect((await owner.get(`/orgs/${slug}`)).status).toBe(200)
  const refused = await owner.get(`/orgs/${slug}`)
  expect(refused.status).toBe(429)
  expect(refused.headers.get('ratelimit-policy')).toBe('"user";q=2;w=60')

  const audit = await ctx.admin.query(`select details from audit_logs where organization_id = $1 and action = 'organization.rate_limits_changed'`, [
    organizationId,
  ])
  expect(audit.rows).toEqual([{ details: { before: {}, after: { userRequests: 2, userBurst: 0 } } }])

  const page = await admin2.get(`${usagePath(slug)}?saved=1`)
  expect(page.status).toBe(200)
  const html = await page.text()
  expect(html).toContain('In force: 2. Default 100, at most 1000.')
  expect(html).toContain('value="2"')
  expect(html).toMatch(/GET \/orgs\/\$org<\/td><td[^>]*>Your requests<\/td><td[^>]*>1</)
})

test('raising a limit above the default is allowed up to the system maximum', async () => {
  const { owner, slug, organizationId } = await organization()
  expect((await save(owner, slug, { organizationRequests: '10000' })).status).toBe(302)
  const { rows } = await ctx.admin.query(`select settings from organizations where id = $1`, [organizationId])
  expect(rows[0].settings).toEqual({ rateLimits: { organizationRequests: 10000 } })
  expect(await (await owner.get(usagePath(slug))).text()).toMatch(/Organization requests<\/td><td[^>]*>\d+ of 10000 per minute/)
})
