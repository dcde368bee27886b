import { beforeAll, describe, expect, test } from 'vitest'
import { createOrg, signedUpClient } from '../utils/app'
import { setupApp } from '../utils/fixture'
import { addMember } from '../utils/tenants'

const ctx = setupApp()

type SignedUp = Awaited<ReturnType<typeof signedUpClient>>

async function organizationId(slug: string): Promise<string> {
  return (await ctx.admin.query('select id from organizations where slug = $1', [slug])).rows[0].id
}

async function userId(client: SignedUp): Promise<string> {
  return (await ctx.admin.query('select id from auth.users where email = $1', [client.email])).rows[0].id
}

/** Arranges an event row as the monitor's function would have written it. */
async function insertEvent(orgId: string, fields: { type: string; severity: string; rule: string; sample: string; ip?: string; at?: string }) {
  const { rows } = await ctx.admin.query(
    `insert into security_events (organization_id, type, severity, rule_id, location, sample, ip_address, endpoint, created_at, last_seen_at)
     values ($1, $2, $3, $4, 'query', $5, $6, 'GET /x', coalesce($7::timestamptz, now()), coalesce($7::timestamptz, now()))
     returning id`,
    [orgId, fields.type, fields.severity, fields.rule, fields.sample, fields.ip ?? '203.0.113.9', fields.at ?? null],
  )
  return rows[0].id as string
}

let owner: SignedUp
let slug: string
let orgId: string
let otherOwner: SignedUp
let otherSlug: string
let otherEventId: string

beforeAll(async () => {
  owner = await signedUpClient(ctx.origin, 'Security Owner')
  slug = await createOrg(owner, 'Watched Org')
  orgId = await organizationId(slug)
  otherOwner = await signedUpClient(ctx.origin, 'Other Owner')
  otherSlug = await createOrg(otherOwner, 'Other Watched Org')
  otherEventId = await insertEvent(await organizationId(otherSlug), {
    type: 'PATH_TRAVERSAL',
    severity: 'HIGH',
    rule: 'other-org-rule',
    sample: 'other organization secret sample',
  })
})

describe('who may see the events page', () => {
  test('a member without security:view gets 403', async () => {
    const member = await signedUpClient(ctx.origin, 'Plain Member')
    await addMember(ctx.admin, orgId, await userId(member), 'member')
    expect((await member.get(`/orgs/${slug}`)).status).toBe(200)
    expect((await member.get(`/orgs/${slug}/security`)).status).toBe(403)
    const eventId = await insertEvent(orgId, { type: 'XSS_ATTEMPT', severity: 'HIGH', rule: 'member-hidden', sample: 'x' })
    expect((await member.get(`/orgs/${slug}/security/${eventId}`)).status).toBe(403)
  })

  test('an admin (who holds security:view) sees it', async () => {
    const adminMember = await signedUpClient(ctx.origin, 'Admin Member')
    await addMember(ctx.admin, orgId, await userId(adminMember), 'admin')
    expect((await adminMember.get(`/orgs/${slug}/security`)).status).toBe(200)
  })

  test('someone outside the organization gets the same 404 as for any unknown organization', async () => {
    expect((await otherOwner.get(`/orgs/${slug}/security`)).status).toBe(404)
  })
})

describe('what the page shows', () => {
  test('the organization’s events, including one its member triggered, and never another organization’s', async () => {
    const probe = await owner.get(`/orgs/${slug}?q=${encodeURIComponent('<script>alert("owner")</script>')}`)
    expect(probe.status).toBe(403)
    const html = await (await owner.get(`/orgs/${slug}/security`)).text()
    expect(html).toContain('xss-script-tag')
    expect(html).toContain(owner.email)
    expect(html).toContain('<svg')
    expect(html).not.toContain('other-org-rule')
  })

  test('another organization’s event is a 404 even by its id', async () => {
    expect((await owner.get(`/orgs/${slug}/security/${otherEventId}`)).status).toBe(404)
    expect((await owner.get(`/orgs/${slug}/security/not-a-uuid`)).status).toBe(404)
    expect((await otherOwner.get(`/orgs/${otherSlug}/security/${otherEventId}`)).status).toBe(200)
  })

  test('the detail shows the attacker’s sample as text, never as markup', async () => {
    const id = await insertEvent(orgId, { type: 'XSS_ATTEMPT', severity: 'CRITICAL', rule: 'xss-detail', sample: '<img src=x onerror=alert(1)>' })
    const response = await owner.get(`/orgs/${slug}/security/${id}`)
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(html).not.toContain('<img src=x')
  })

  test('filters by type, severity, IP and time', async () => {
    await insertEvent(orgId, { type: 'COMMAND_INJECTION', severity: 'MEDIUM', rule: 'filter-cmd', sample: 'a', ip: '192.0.2.77' })
    await insertEvent(orgId, { type: 'SQL_INJECTION', severity: 'HIGH', rule: 'filter-old', sample: 'b', at: '2024-03-05T10:00:00Z' })
    const get = async (query: string) => (await owner.get(`/orgs/${slug}/security?${query}`)).text()
    const byType = await get('type=COMMAND_INJECTION')
    expect(byType).toContain('filter-cmd')
    expect(byType).not.toContain('xss-script-tag')
    expect(await get('severity=MEDIUM')).toContain('filter-cmd')
    expect(await get('severity=CRITICAL')).not.toContain('filter-cmd')
    expect(await get('ip=192.0.2.77')).toContain('filter-cmd')
    expect(await get('ip=192.0.2.78')).not.toContain('filter-cmd')
    const march = await get('from=2024-03-01&to=2024-03-31')
    expect(march).toContain('filter-old')
    expect(march).not.toContain('filter-cmd')
    expect(await get(`user=${encodeURIComponent(owner.email)}`)).toContain('xss-script-tag')
  })

  test('bad filters are a 400 with field errors that keep what was typed', async () => {
    const response = await owner.get(`/orgs/${slug}/security?ip=not-an-ip&from=2024-02-30&type=NOPE`)
    expect(response.status).toBe(400)
    const html = await response.text()
    expect(html).toContain('Not an IP address')
    expect(html).toContain('Not a calendar date')
    expect(html).toContain('value="not-an-ip"')
    // A year PostgreSQL cannot store is bad input too, not a database error.
    const yearZero = await owner.get(`/orgs/${slug}/security?to=0000-01-01`)
    expect(yearZero.status).toBe(400)
    expect(await yearZero.text()).toContain('Use a date such as 2025-01-31')
  })

  test('a start date after today, or an end date in year 1, still charts at least one day', async () => {
    const future = await owner.get(`/orgs/${slug}/security?from=2099-01-01`)
    expect(future.status).toBe(200)
    expect(await future.text()).toContain('No security events match.')
    expect((await owner.get(`/orgs/${slug}/security?from=9999-12-31`)).status).toBe(200)
    // Two weeks back from 0001-01-03 would reach year zero, which PostgreSQL has not got.
    expect((await owner.get(`/orgs/${slug}/security?to=0001-01-03`)).status).toBe(200)
  })

  test('pages through many events', async () => {
    for (let i = 0; i < 26; i++) await insertEvent(orgId, { type: 'SUSPICIOUS_ACTIVITY', severity: 'LOW', rule: `bulk-${i}`, sample: 's' })
    const first = await (await owner.get(`/orgs/${slug}/security?severity=LOW`)).text()
    expect(first).toContain('Page 1 of 2')
    expect(first.match(/data-testid="security-event"/g)).toHaveLength(25)
    const second = await (await owner.get(`/orgs/${slug}/security?severity=LOW&page=2`)).text()
    expect(second.match(/data-testid="security-event"/g)).toHaveLength(1)
  })
})
