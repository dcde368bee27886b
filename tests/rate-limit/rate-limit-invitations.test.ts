/**
 * Guessing invitation links: unknown, expired and revoked tokens count per
 * client address toward a temporary block (then even a valid link is refused),
 * other addresses are unaffected, an accepted invitation starts the count over
 * but not the day's, spoofing X-Forwarded-For without a trusted proxy changes
 * nothing, and each block is audited and recorded as a BRUTE_FORCE event.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { createInvitation } from '~/models/invitation.server'
import { signedUpClient, startApp } from '../utils/app'
import { bruteForceEvents } from '../utils/db'
import { setupApp, type App } from '../utils/fixture'
import { uniquePrefix } from '../utils/rate-limit'
import { createTenant } from '../utils/tenants'

vi.stubEnv('RATE_LIMIT_STORE', 'postgres')
vi.stubEnv('RATE_LIMIT_KEY_PREFIX', uniquePrefix('invitation'))
vi.stubEnv('RATE_LIMIT_INVITATION_FAILURES', '3')
vi.stubEnv('RATE_LIMIT_INVITATION_IP_PER_DAY', '6')
vi.stubEnv('RATE_LIMIT_SIGNIN_LOCK_SECONDS', '30')

const BLOCKED = 'Too many requests from your network address. Try again in 30 seconds.'

// The app behind a trusted proxy (X-Forwarded-For names the client), and one reached directly.
const ctx = setupApp({ TRUST_PROXY: 1 })
const behindProxy = ctx
let direct: App
let inviter: Awaited<ReturnType<typeof createTenant>>
beforeAll(async () => {
  direct = await startApp({ TRUST_PROXY: false })
  inviter = await createTenant('Inviter') // organization "Inviter Org"
})
afterAll(async () => {
  await direct.close()
  vi.unstubAllEnvs()
})

const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } })
const unknownLink = () => `/invitations/${randomBytes(32).toString('base64url')}`

/** A real pending invitation for `email` (the link as mailed). */
async function invitationFor(email: string) {
  const { token } = await createInvitation(inviter.actor, ['*'], { email, role: 'member' })
  return `/invitations/${token}`
}

/** Someone signed up with the invited address, ready to accept. */
async function invitee(app: { origin: string }) {
  const client = await signedUpClient(app.origin, 'Invitee')
  return { client, link: await invitationFor(client.email) }
}

async function memberships(email: string) {
  const { rows } = await ctx.admin.query(
    `select 1 from organization_members m join auth.users u on u.id = m.user_id where u.email = $1 and m.organization_id = $2`,
    [email, inviter.org.id],
  )
  return rows.length
}

async function blockAudit(ip: string) {
  const { rows } = await ctx.admin.query(
    `select user_id, details from audit_logs where action = 'user.invitation_links_blocked' and host(ip_address) = $1 order by created_at`,
    [ip],
  )
  return rows
}

describe('consecutive failures per address', () => {
  test('block the address, refuse even a valid link, leave other addresses alone, and record the block', async () => {
    const ip = '198.51.100.60'
    const { client, link } = await invitee(behindProxy)
    const bruteForce = () =>
      ctx.app.services.securityCounters.snapshot().findings.find((f) => f.type === 'BRUTE_FORCE' && f.severity === 'MEDIUM')!.count
    const counted = bruteForce()
    expect((await client.get(unknownLink(), from(ip))).status).toBe(404)
    expect((await client.get(unknownLink(), from(ip))).status).toBe(404)
    const third = await client.get(unknownLink(), from(ip))
    expect(third.status).toBe(429)
    expect(await third.text()).toContain(BLOCKED)

    const refused = await client.get(link, from(ip))
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('30')
    expect(refused.headers.get('ratelimit-policy')).toBe('"invitation";q=3;w=86400')
    expect(refused.headers.get('ratelimit')).toBe('"invitation";r=0;t=30')
    const page = await refused.text()
    expect(page, 'the same words for a valid link').toContain(BLOCKED)
    expect(page, 'nothing about the invitation').not.toContain('Inviter Org')

    const accept = await client.post(link, {}, from(ip))
    expect(accept.status).toBe(429)
    expect(await memberships(client.email), 'the refused accept wrote nothing').toBe(0)

    const elsewhere = await client.get(link, from('198.51.100.61'))
    expect(elsewhere.status, 'another address is not blocked').toBe(200)
    expect(await elsewhere.text()).toContain('Join Inviter Org')

    expect(await bruteForceEvents(ctx.admin, third)).toEqual([
      { rule_id: 'invitation-consecutive', severity: 'MEDIUM', blocked: true, endpoint: 'GET /invitations/[redacted]', ip },
    ])
    expect(bruteForce(), "counted in the monitor's metrics").toBe(counted + 1)
    const user = await ctx.admin.query(`select id from auth.users where email = $1`, [client.email])
    expect(await blockAudit(ip)).toEqual([{ user_id: user.rows[0].id, details: { reasons: ['consecutive'], failures: 3, retryAfterSeconds: 30 } }])
  })

  test('expired and revoked links count; accepting starts the consecutive count over, not the daily one', async () => {
    const ip = '198.51.100.70'
    const expired = await invitationFor(`expired-${randomBytes(4).toString('hex')}@example.test`)
    await ctx.admin.query(
      `update invitations set expires_at = now() - interval '1 minute' where organization_id = $1 and expires_at > now() and email like 'expired-%'`,
      [inviter.org.id],
    )
    const revoked = await invitationFor(`revoked-${randomBytes(4).toString('hex')}@example.test`)
    await ctx.admin.query(`update invitations set revoked_at = now() where organization_id = $1 and email like 'revoked-%'`, [inviter.org.id])

    const first = await invitee(behindProxy)
    expect(await (await first.client.get(expired, from(ip))).text()).toContain('This invitation has expired')
    expect(await (await first.client.get(revoked, from(ip))).text()).toContain('This invitation was revoked.')
    expect((await first.client.get(first.link, from(ip))).status, 'a valid link is no failure').toBe(200)
    expect((await first.client.post(first.link, {}, from(ip))).status).toBe(302)

    const second = await invitee(behindProxy)
    expect((await second.client.get(unknownLink(), from(ip))).status).toBe(404)
    expect((await second.client.get(unknownLink(), from(ip))).status, 'the accept started the count over').toBe(404)
    expect((await second.client.post(second.link, {}, from(ip))).status).toBe(302)

    expect((await second.client.get(unknownLink(), from(ip))).status).toBe(404)
    const sixth = await second.client.get(unknownLink(), from(ip))
    expect(sixth.status, "the day's sixth failure").toBe(429)
    expect(sixth.headers.get('ratelimit-policy')).toBe('"invitation-ip";q=6;w=86400')
    expect(await bruteForceEvents(ctx.admin, sixth)).toEqual([expect.objectContaining({ rule_id: 'invitation-ip', severity: 'HIGH', ip })])
  })
})

test('without a trusted proxy X-Forwarded-For is ignored: spoofing it neither dodges nor resets a block', async () => {
  const { client, link } = await invitee(direct)
  const spoofed = () => from(`10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`)
  const statuses = []
  for (let i = 0; i < 3; i++) statuses.push((await client.get(unknownLink(), spoofed())).status)
  expect(statuses).toEqual([404, 404, 429])
  expect((await client.get(link, spoofed())).status).toBe(429)
  expect((await client.post(link, {}, spoofed())).status).toBe(429)
  expect(await memberships(client.email)).toBe(0)
  expect(await blockAudit('127.0.0.1')).toHaveLength(1)
})
