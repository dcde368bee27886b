/**
 * Mailed links carry secrets in their path: every route with a token is
 * walked here the way its reader would (and a few ways an attacker would),
 * and the token must appear nowhere an operator reads — the request log, the
 * metrics, the audit details, the security events.
 */
import { expect, test, vi } from 'vitest'
import { REDACTED, SECRET_LINKS } from '~/lib/paths'
import { devMailboxMessages } from '~/mail/mailer.server'
import { loadServerBuild } from '~/server/build-output.server'
import { Client, createOrg, PASSWORD, signedUpClient, uniqueEmail, type LogLine } from '../utils/app'
import { setupApp } from '../utils/fixture'
import { linkPath } from '../utils/mail'

const lines: LogLine[] = []
const ctx = setupApp({}, { log: { level: 'info', lines } })

/** The newest message to `to` with a link under `prefix`, as it arrives in the dev mailbox. */
function mailedLink(to: string, prefix: string): Promise<string> {
  return vi.waitFor(
    () => {
      const message = devMailboxMessages().find((m) => m.to === to && m.text.includes(prefix))
      if (!message) throw new Error(`no ${prefix} link mailed to ${to}`)
      return linkPath(message, prefix)
    },
    { timeout: 5_000, interval: 20 },
  )
}

const tokenOf = (link: string) => link.split('/').pop()!

test('the secret links are every route with a $token segment', async () => {
  const build = await loadServerBuild()
  const withToken = Object.values(build.routes)
    .filter((route) => route.path?.includes(':token'))
    .map((route) => route.path!.split('/')[0])
  expect(withToken.sort()).toEqual(Object.values(SECRET_LINKS).sort())
})

test('no token of a mailed link reaches the log, the metrics, the audit details or the security events', async () => {
  const tokens: string[] = []
  const visit = async (client: Client, target: string, init?: RequestInit) => {
    const response = await client.request(target, init)
    await response.arrayBuffer()
    return response.status
  }

  // Sign-up: the verification link, opened once, then again (used).
  const reader = await signedUpClient(ctx.origin, 'Reader Person')
  const verify = await mailedLink(reader.email, '/verify-email/')
  tokens.push(tokenOf(verify))
  expect(await visit(reader, verify)).toBe(200)
  expect(await visit(reader, `${verify}.data`)).toBe(410)

  // Forgot password: the reset link, shown, percent-encoded by hand, and submitted (which signs in).
  const anonymous = new Client(ctx.origin)
  expect((await anonymous.post('/forgot-password', { email: reader.email })).status).toBeLessThan(400)
  const reset = await mailedLink(reader.email, '/reset-password/')
  tokens.push(tokenOf(reset))
  expect(await visit(anonymous, reset)).toBe(200)
  expect(await visit(anonymous, reset.replace('reset-password', 'reset%2Dpassword'))).toBe(200)
  expect((await anonymous.post(reset, { password: 'a brand new passphrase 2026' })).status).toBe(302)

  // An invitation: previewed signed out, through sign-in's redirectTo, as data, accepted, and with an attack in it.
  const owner = await signedUpClient(ctx.origin, 'Owner Person')
  const slug = await createOrg(owner, 'Redaction Org')
  const inviteeEmail = uniqueEmail('invitee')
  expect((await owner.post(`/orgs/${slug}/members/invite`, { email: inviteeEmail, role: 'member' })).status).toBeLessThan(400)
  const invitation = await mailedLink(inviteeEmail, '/invitations/')
  tokens.push(tokenOf(invitation))
  const visitor = new Client(ctx.origin)
  expect(await visit(visitor, invitation)).toBe(200)
  expect(await visit(visitor, `/login?redirectTo=${encodeURIComponent(invitation)}`)).toBe(200)
  expect(await visit(visitor, `${invitation}.data`)).toBe(200)
  expect(await visit(visitor, `${invitation}?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E`), 'refused by the security monitor').toBe(403)
  const invitee = new Client(ctx.origin)
  expect((await invitee.post('/signup', { name: 'Invitee', email: inviteeEmail, password: PASSWORD, redirectTo: invitation })).status).toBe(302)
  expect((await invitee.post(invitation, {})).status).toBe(302)

  // An email change: the confirmation link mailed to the new address.
  const newEmail = uniqueEmail('moved')
  expect((await owner.post('/account/email', { email: newEmail, currentPassword: PASSWORD })).status).toBeLessThan(400)
  const confirm = await mailedLink(newEmail, '/verify-email/')
  tokens.push(tokenOf(confirm))
  expect(await visit(owner, confirm)).toBe(200)

  expect(new Set(tokens).size).toBe(4)
  const log = lines.map((line) => JSON.stringify(line)).join('\n')
  const metrics = await ctx.app.services.metrics.registry.metrics()
  const audit = await ctx.admin.query<{ details: unknown }>(`select details from audit_logs where created_at > now() - interval '5 minutes'`)
  const events = await ctx.admin.query(`select endpoint, sample, details from security_events where created_at > now() - interval '5 minutes'`)
  expect(events.rowCount, 'the attack was recorded').toBeGreaterThan(0)
  for (const token of tokens) {
    expect(log).not.toContain(token)
    expect(metrics).not.toContain(token)
    expect(JSON.stringify(audit.rows)).not.toContain(token)
    expect(JSON.stringify(events.rows)).not.toContain(token)
  }
  // The lines are there, with the token redacted.
  for (const prefix of Object.values(SECRET_LINKS)) expect(log).toContain(`/${prefix}/${REDACTED}`)
  expect(JSON.stringify(events.rows)).toContain(`/invitations/${REDACTED}`)
  expect(log, 'the dev mailbox line keeps the message, links redacted').toContain('email kept in the dev mailbox')
})
