/**
 * Invitations when the HTTP mail provider (played by msw) fails: the
 * invitation stays saved, the inviter gets a form error instead of a 500, and
 * "Resend" on the members page mails it once the provider is back.
 */
import type pg from 'pg'
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'
import { createOrg, signedUpClient, startApp, uniqueEmail } from './utils/app'
import { adminClient } from './utils/db'
import { configureMailProvider, linkPath, mailProvider } from './utils/mail'

configureMailProvider()
const provider = mailProvider()

let app: Awaited<ReturnType<typeof startApp>>
let admin: pg.Client
let owner: Awaited<ReturnType<typeof signedUpClient>>
let slug: string
beforeAll(async () => {
  provider.listen()
  app = await startApp()
  admin = await adminClient()
  owner = await signedUpClient(app.origin, 'Mailing Owner')
  slug = await createOrg(owner, 'Mailing Org')
})
afterAll(async () => {
  await admin.end()
  await app.close()
  provider.close()
})
beforeEach(() => provider.failNextWith(undefined))

const pending = async (email: string) =>
  (await admin.query('select id from invitations where email = $1 and accepted_at is null and revoked_at is null', [email])).rows

test('a failed invitation mail is a form error that keeps the invitation and points to Resend', async () => {
  const email = uniqueEmail('unmailed')
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
  provider.failNextWith(502)
  const response = await owner.post(`/orgs/${slug}/members?index`, { intent: 'resend', invitationId: invitation.id })
  expect(response.status).toBe(503)
  const html = await response.text()
  expect(html).toContain('the email could not be sent. Try “Resend” again in a few minutes.')
  expect(html).toContain('Pending invitations')
})
