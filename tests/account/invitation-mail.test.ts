/**
 * Invitations when the HTTP mail provider (played by msw) fails: the
 * invitation stays saved, the inviter gets a form error instead of a 500, and
 * "Resend" on the members page mails it once the provider is back.
 */
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'
import { createOrg, PASSWORD, signedUpClient, uniqueEmail } from '../utils/app'
import { expectConsoleError } from '../utils/console'
import { setupApp } from '../utils/fixture'
import { configureMailProvider, linkPath, mailProvider } from '../utils/mail'

configureMailProvider()
const provider = mailProvider()

beforeAll(() => provider.listen())
afterAll(() => provider.close())
const ctx = setupApp()
let owner: Awaited<ReturnType<typeof signedUpClient>>
let slug: string
beforeAll(async () => {
  owner = await signedUpClient(ctx.origin, 'Mailing Owner')
  slug = await createOrg(owner, 'Mailing Org')
})
beforeEach(() => provider.failNextWith(undefined))

const pending = async (email: string) =>
  (await ctx.admin.query('select id from invitations where email = $1 and accepted_at is null and revoked_at is null', [email])).rows

test('a failed invitation mail is a form error that keeps the invitation and points to Resend', async () => {
  const email = uniqueEmail('unmailed')
  expectConsoleError(/"msg":"invitation mail failed"/)
  provider.failNextWith(503)
  const response = await owner.post(`/orgs/${slug}/members/invite`, { email, role: 'member' })
  expect(response.status).toBe(422)
  const html = await response.text()
  expect(html).toContain(`The invitation to ${email} was saved, but the email could not be sent.`)
  expect(html).toContain('Resend')
  expect(html).toContain(`value="${email}"`)
  expect(provider.sentTo(email)).toHaveLength(0)
  const [invitation] = await pending(email)
  expect(invitation).toBeDefined()

  provider.failNextWith(undefined)
  expect((await owner.post(`/orgs/${slug}/members?index`, { intent: 'resend', invitationId: invitation.id })).status).toBe(302)
  expect(linkPath(await provider.waitFor(email, /invited you to Mailing Org/), '/invitations/')).toMatch(/^\/invitations\/[\w-]{43}$/)
})

test('a failed mail on Resend says so on the members page', async () => {
  const email = uniqueEmail('resend-unmailed')
  expect((await owner.post(`/orgs/${slug}/members/invite`, { email, role: 'member' })).status).toBe(302)
  const [invitation] = await pending(email)
  // The app logs the failed mail, and its 503 answer as any 5xx.
  expectConsoleError(/"msg":"invitation mail failed"/)
  expectConsoleError(/"statusCode":503\}.*"msg":"request errored"/)
  provider.failNextWith(502)
  const response = await owner.post(`/orgs/${slug}/members?index`, { intent: 'resend', invitationId: invitation.id })
  expect(response.status).toBe(503)
  const html = await response.text()
  expect(html).toContain('the email could not be sent. Try “Resend” again in a few minutes.')
  expect(html).toContain('Pending invitations')
})

test('the API saves the invitation when the mail fails and says so: 201 with mail "failed", never a 500', async () => {
  const login = await fetch(`${ctx.origin}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: owner.email, password: PASSWORD }),
  })
  const { data } = (await login.json()) as { data: { token: string } }
  const orgId = (await ctx.admin.query('select id from organizations where slug = $1', [slug])).rows[0].id
  const invite = (email: string) =>
    fetch(`${ctx.origin}/api/organizations/${orgId}/members/invite`, {
      method: 'POST',
      headers: { authorization: `Bearer ${data.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email, role: 'member' }),
    })

  const unmailed = uniqueEmail('api-unmailed')
  expectConsoleError(/"msg":"invitation mail failed"/)
  provider.failNextWith(503)
  const failed = await invite(unmailed)
  expect(failed.status).toBe(201)
  expect((await failed.json()).data).toMatchObject({ email: unmailed, role: 'member', mail: 'failed' })
  expect(await pending(unmailed)).toHaveLength(1)
  expect(provider.sentTo(unmailed)).toHaveLength(0)

  provider.failNextWith(undefined)
  const mailed = uniqueEmail('api-mailed')
  const sent = await invite(mailed)
  expect(sent.status).toBe(201)
  expect((await sent.json()).data).toMatchObject({ mail: 'sent' })
  await provider.waitFor(mailed, /invited you to Mailing Org/)
})
