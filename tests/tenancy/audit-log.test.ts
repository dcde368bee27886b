/**
 * Reading the audit log: what the API's filters and pages return, row by row,
 * and the organization's audit log page (who may see it, its filters, its
 * pages, and that another organization's entries never show).
 */
import { beforeAll, describe, expect, test } from 'vitest'
import { apiCreateOrg, apiSignup, expectData, type ApiUser } from '../utils/api'
import { Client, PASSWORD } from '../utils/app'
import { setupApp } from '../utils/fixture'
import { addMember } from '../utils/tenants'

// Many requests as a few users: the rate limits have their own tests.
process.env.RATE_LIMIT_ENABLED = 'false'

const ctx = setupApp()
let owner: ApiUser
let builder: ApiUser
let plain: ApiUser
let other: ApiUser
let orgId: string
let slug: string
let otherOrgId: string
let otherWorkspaceId: string

const OLD_ENTRY_AT = '2024-03-05T10:00:00.000Z'

interface Entry {
  id: string
  action: string
  resourceType: string
  resourceId: string | null
  result: string
  actor: { id: string; name: string | null; email: string | null } | null
  ipAddress: string | null
  createdAt: string
}

const audit = (query = '') => `/api/organizations/${orgId}/audit-logs${query}`

/** Every entry the filter matches (one page of 100 is plenty here), with the total the API reports. */
async function entries(query = '', as = owner) {
  const response = await as.client.get(audit(`?pageSize=100${query ? `&${query}` : ''}`))
  const data = expectData(response) as Entry[]
  expect(data.length).toBe(response.body.meta.total)
  return data
}

async function adminCount(where: string, values: unknown[] = []) {
  const { rows } = await ctx.admin.query(`select count(*)::int as n from audit_logs where organization_id = $1 and ${where}`, [orgId, ...values])
  return rows[0].n as number
}

beforeAll(async () => {
  const signup = (name: string) => apiSignup(ctx.origin, name)
  ;[owner, builder, plain, other] = await Promise.all([signup('Ada Auditor'), signup('Ben Builder'), signup('Pia Plain'), signup('Otto Other')])
  orgId = await apiCreateOrg(owner.client, 'Audited Org')
  slug = (await ctx.admin.query('select slug from organizations where id = $1', [orgId])).rows[0].slug
  await addMember(ctx.admin, orgId, builder.user.id, 'admin')
  await addMember(ctx.admin, orgId, plain.user.id, 'member')

  const workspaces = `/api/organizations/${orgId}/workspaces`
  for (const name of ['Alpha', 'Beta']) expectData(await owner.client.post(workspaces, { name }), 201)
  const built = expectData(await builder.client.post(workspaces, { name: 'Gamma' }), 201)
  for (const name of ['One', 'Two']) expectData(await builder.client.post(`${workspaces}/${built.id}/projects`, { name }), 201)
  expect((await plain.client.post(workspaces, { name: 'Refused' })).status).toBe(403)
  await ctx.admin.query(
    `insert into audit_logs (organization_id, user_id, action, resource_type, resource_id, result, created_at)
     values ($1, $2, 'workspace.updated', 'workspace', 'old-workspace', 'success', $3)`,
    [orgId, owner.user.id, OLD_ENTRY_AT],
  )

  otherOrgId = await apiCreateOrg(other.client, 'Other Audited Org')
  otherWorkspaceId = expectData(await other.client.post(`/api/organizations/${otherOrgId}/workspaces`, { name: 'Other secret workspace' }), 201).id
})

describe('GET /api/organizations/{orgId}/audit-logs', () => {
  test('newest first, every entry of the organization, with the actor’s name and email', async () => {
    const all = await entries()
    expect(all.length).toBe(await adminCount('true'))
    const times = all.map((e) => Date.parse(e.createdAt))
    expect(times).toEqual([...times].sort((a, b) => b - a))
    expect(all.at(-1)).toMatchObject({ action: 'workspace.updated', resourceId: 'old-workspace', createdAt: OLD_ENTRY_AT })
    const gamma = all.find((e) => e.action === 'workspace.created' && e.actor?.id === builder.user.id)
    expect(gamma).toMatchObject({
      resourceType: 'workspace',
      result: 'success',
      actor: { id: builder.user.id, name: 'Ben Builder', email: builder.user.email },
      ipAddress: '127.0.0.1',
    })
  })

  test('by action: exactly, or every action of a kind with a trailing dot', async () => {
    const family = await entries('action=workspace.')
    expect(family.length).toBe(await adminCount(`action like 'workspace.%'`))
    expect(family.length).toBeGreaterThanOrEqual(4)
    expect(family.every((e) => e.action.startsWith('workspace.'))).toBe(true)
    const created = await entries('action=project.created')
    expect(created.map((e) => e.action)).toEqual(['project.created', 'project.created'])
    expect(await entries('action=project.')).toHaveLength(2)
    expect(await entries('action=project')).toHaveLength(0)
  })

  test('by actor, resource type and result', async () => {
    const byBuilder = await entries(`userId=${builder.user.id}`)
    expect(byBuilder.map((e) => e.action).sort()).toEqual(['project.created', 'project.created', 'workspace.created'])
    expect((await entries(`userId=${builder.user.id}&resourceType=project`)).map((e) => e.resourceType)).toEqual(['project', 'project'])
    const refused = await entries('result=failure')
    expect(refused.length).toBeGreaterThan(0)
    expect(refused.every((e) => e.result === 'failure')).toBe(true)
    expect(refused.some((e) => e.action === 'permission.denied' && e.actor?.id === plain.user.id)).toBe(true)
    expect(await entries(`userId=${plain.user.id}&result=success`)).toHaveLength(0)
  })

  test('by time: a date covers its whole UTC day; a time is inclusive to the millisecond', async () => {
    expect((await entries('from=2024-03-05&to=2024-03-05')).map((e) => e.resourceId)).toEqual(['old-workspace'])
    expect(await entries('to=2024-03-04')).toHaveLength(0)
    expect(await entries('from=2024-03-06&to=2024-03-06')).toHaveLength(0)
    expect(await entries(`from=${OLD_ENTRY_AT}&to=${OLD_ENTRY_AT}`)).toHaveLength(1)
    expect(await entries('to=2024-03-05T09:59:59.999Z')).toHaveLength(0)
    expect(await entries('from=2024-03-05T10:00:00.001Z&to=2024-03-31')).toHaveLength(0)

    // An entry's own createdAt (millisecond precision) as either bound includes that entry.
    const all = await entries()
    const middle = all[Math.floor(all.length / 2)]!
    const sameMillisecond = all.filter((e) => e.createdAt === middle.createdAt).length
    const since = await entries(`from=${middle.createdAt}`)
    const until = await entries(`to=${middle.createdAt}`)
    expect(since.some((e) => e.id === middle.id) && until.some((e) => e.id === middle.id)).toBe(true)
    expect(since.length + until.length).toBe(all.length + sameMillisecond)
  })

  test('pages keep the filters: links.next walks the filtered list in order', async () => {
    const expected = (await entries('action=workspace.')).map((e) => e.id)
    const seen: string[] = []
    let next: string | undefined = audit('?action=workspace.&pageSize=2')
    let pages = 0
    while (next) {
      const url = new URL(next, ctx.origin)
      expect(url.searchParams.get('action')).toBe('workspace.')
      expect(url.searchParams.get('pageSize')).toBe('2')
      const response = await owner.client.get(next)
      seen.push(...expectData(response).map((e: Entry) => e.id))
      expect(response.body.meta).toEqual({ total: expected.length, page: ++pages, pageSize: 2 })
      next = response.body.links.next
    }
    expect(seen).toEqual(expected)
    expect(pages).toBe(Math.ceil(expected.length / 2))
  })

  test('an actor who has left keeps their id on their entries; their name and email are no longer shown', async () => {
    const leaver = await apiSignup(ctx.origin, 'Lea Leaver')
    await addMember(ctx.admin, orgId, leaver.user.id, 'admin')
    expectData(await leaver.client.post(`/api/organizations/${orgId}/workspaces`, { name: 'Left behind' }), 201)
    await ctx.admin.query('delete from organization_members where organization_id = $1 and user_id = $2', [orgId, leaver.user.id])
    const theirs = await entries(`userId=${leaver.user.id}`)
    expect(theirs).toHaveLength(1)
    expect(theirs[0]!.actor).toEqual({ id: leaver.user.id, name: null, email: null })
  })

  test('nothing of another organization, whatever the filter', async () => {
    for (const query of ['', `userId=${other.user.id}`, 'action=workspace.', 'resourceType=workspace']) {
      const found = await entries(query)
      expect(JSON.stringify(found)).not.toMatch(new RegExp(`${otherOrgId}|${otherWorkspaceId}|${other.user.email}|Other secret`))
    }
    expect(await entries(`userId=${other.user.id}`)).toHaveLength(0)
  })
})

// ---------------------------------------------------------------- the page

/** The user signed in with a cookie, as a browser. */
async function browser(user: ApiUser) {
  const client = new Client(ctx.origin)
  const response = await client.post('/login', { email: user.user.email, password: PASSWORD })
  expect(response.status).toBe(302)
  return client
}

/** The table rows of the page: one string of cell texts per entry. */
function rowsOf(html: string): string[] {
  return [...html.matchAll(/<tr data-testid="audit-entry">(.*?)<\/tr>/g)].map((m) =>
    m[1]!
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  )
}

const page = (query = '') => `/orgs/${slug}/audit${query}`
const navLink = () => `href="/orgs/${slug}/audit"`

describe('the audit log page', () => {
  test('a member without audit:view gets 403 and no link to it; outsiders get 404', async () => {
    const member = await browser(plain)
    expect((await member.get(page())).status).toBe(403)
    const home = await member.get(`/orgs/${slug}`)
    expect(home.status).toBe(200)
    expect(await home.text()).not.toContain(navLink())
    expect((await (await browser(other)).get(page())).status).toBe(404)
  })

  test('owners, admins and custom roles holding audit:view see it and its link', async () => {
    await ctx.admin.query(
      `insert into roles (organization_id, key, name, permissions) values ($1, 'auditor', 'Auditor', '{organization:view,audit:view}')`,
      [orgId],
    )
    const auditor = await apiSignup(ctx.origin, 'Ida Inspector')
    await addMember(ctx.admin, orgId, auditor.user.id, 'auditor')
    for (const user of [owner, builder, auditor]) {
      const client = await browser(user)
      const response = await client.get(page())
      expect(response.status, user.user.name).toBe(200)
      expect(await response.text()).toContain(navLink())
    }
  })

  test('shows time, actor, action, resource, result and IP; never another organization’s entries', async () => {
    const response = await (await browser(owner)).get(page())
    expect(response.status).toBe(200)
    const html = await response.text()
    const rows = rowsOf(html)
    expect(rows.length).toBeGreaterThan(5)
    expect(rows.some((row) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC Ben Builder .*project\.created project .* success 127\.0\.0\.1$/.test(row))).toBe(
      true,
    )
    expect(rows.some((row) => row.includes('Pia Plain') && row.includes('permission.denied') && row.includes('failure'))).toBe(true)
    for (const secret of [otherOrgId, otherWorkspaceId, other.user.email, 'Other secret']) expect(html).not.toContain(secret)
    const asked = await (await browser(owner)).get(page(`?userId=${other.user.id}`))
    expect(asked.status).toBe(200)
    expect(rowsOf(await asked.text())).toEqual([])
  })

  test('filters narrow the table and keep their values in the form', async () => {
    const client = await browser(owner)
    const html = await (await client.get(page(`?action=project.created&userId=${builder.user.id}&result=success&from=2020-01-01`))).text()
    const rows = rowsOf(html)
    expect(rows).toHaveLength(2)
    expect(rows.every((row) => row.includes('project.created') && row.includes('Ben Builder'))).toBe(true)
    expect(html).toContain('value="project.created"')
    expect(html).toMatch(new RegExp(`<option value="${builder.user.id}" selected="">`))
    expect(html).toMatch(/<option value="success" selected="">/)
    expect(html).toContain('value="2020-01-01"')
    const old = rowsOf(await (await client.get(page('?from=2024-03-05&to=2024-03-05'))).text())
    expect(old).toHaveLength(1)
    expect(old[0]).toContain('2024-03-05 10:00:00 UTC')
    expect(await (await client.get(page('?action=nothing.here'))).text()).toContain('No entries match these filters.')
  })

  test('bad filters are a 400 with field errors that keep what was typed', async () => {
    const response = await (await browser(owner)).get(page('?action=Not%20an%20action!&from=2024-02-30&userId=abc'))
    expect(response.status).toBe(400)
    const html = await response.text()
    expect(html).toContain('value="Not an action!"')
    expect(html).toContain('Use an action such as workspace.created')
    expect(html).toContain('Use a date such as 2025-01-31, or a time')
    expect(html).toContain('Not a user id')
    const backward = await (await browser(owner)).get(page('?from=2024-03-02&to=2024-03-01'))
    expect(backward.status).toBe(400)
    expect(await backward.text()).toContain('Must not be before the start')
  })

  test('pagination links keep the filters', async () => {
    await ctx.admin.query(
      `insert into audit_logs (organization_id, user_id, action, resource_type, resource_id, result, created_at)
       select $1, $2, 'project.updated', 'project', 'bulk-' || i, 'success', now() - i * interval '1 minute' from generate_series(1, 26) i`,
      [orgId, builder.user.id],
    )
    const client = await browser(owner)
    const first = await (await client.get(page('?action=project.updated'))).text()
    expect(first).toContain('Page 1 of 2')
    expect(rowsOf(first)).toHaveLength(25)
    const link = /<a [^>]*rel="next"[^>]*>/.exec(first)?.[0] ?? ''
    const next = /href="([^"]+)"/.exec(link)?.[1]?.replaceAll('&amp;', '&')
    expect(next).toBe(page('?action=project.updated&page=2'))
    const second = await (await client.get(next!)).text()
    expect(second).toContain('Page 2 of 2')
    expect(rowsOf(second)).toHaveLength(1)
    expect(rowsOf(second)[0]).toContain('project.updated')
  })
})
