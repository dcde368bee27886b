/**
 * The audit log's export, through both doors: who may take it (owner, a
 * custom role holding only audit:view, a scoped token) and who may not (a
 * member without it: 403; an outsider, another organization's id: 404), the
 * filters and formats, the trailer's chain head, its own audit row, and the
 * per-organization hourly limit (429) that the usage page shows.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { createApiToken } from '~/models/api-token.server'
import { verifyChain } from '../../db/audit-chain'
import { apiCreateOrg, apiSignup, expectData, expectError, type ApiUser } from '../utils/api'
import { createOrg, signedUpClient } from '../utils/app'
import { setupApp } from '../utils/fixture'
import { uniquePrefix } from '../utils/rate-limit'
import { addMember } from '../utils/tenants'

const EXPORTS_PER_HOUR = 6
vi.stubEnv('RATE_LIMIT_STORE', 'postgres')
vi.stubEnv('RATE_LIMIT_KEY_PREFIX', uniquePrefix('export'))
vi.stubEnv('RATE_LIMIT_EXPORTS_PER_HOUR', String(EXPORTS_PER_HOUR))

const ctx = setupApp()
afterAll(() => vi.unstubAllEnvs())

let owner: ApiUser
let auditor: ApiUser
let member: ApiUser
let outsider: ApiUser
let orgId: string
let otherOrgId: string
const exportPath = (org: string, query = '') => `/api/organizations/${org}/audit-logs/export${query}`

beforeAll(async () => {
  const signup = (name: string) => apiSignup(ctx.origin, name)
  ;[owner, auditor, member, outsider] = await Promise.all([signup('Owen Owner'), signup('Aud Auditor'), signup('Mel Member'), signup('Out Sider')])
  orgId = await apiCreateOrg(owner.client, 'Exported Org')
  otherOrgId = await apiCreateOrg(outsider.client, 'Outsider Org')
  await ctx.admin.query(`insert into roles (organization_id, key, name, permissions) values ($1, 'auditor', 'Auditor', '{audit:view}')`, [orgId])
  await addMember(ctx.admin, orgId, auditor.user.id, 'auditor')
  await addMember(ctx.admin, orgId, member.user.id, 'member')
  for (const name of ['Alpha', 'Beta', 'Gamma']) expectData(await owner.client.post(`/api/organizations/${orgId}/workspaces`, { name }), 201)
  expect((await member.client.post(`/api/organizations/${orgId}/workspaces`, { name: 'Refused' })).status).toBe(403)
})

/** An NDJSON line: an entry, or the trailer. */
interface Line {
  type: string
  position: number
  action: string
  result: string
  prevHash: string
  hash: string
  chainHead: { position: number; hash: string }
  [key: string]: unknown
}
const ndjson = (text: string): Line[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))

async function adminCount(where: string, values: unknown[] = []) {
  const { rows } = await ctx.admin.query(`select count(*)::int as n from audit_logs where organization_id = $1 and ${where}`, [orgId, ...values])
  return rows[0].n as number
}

describe('who may export', () => {
  test('the owner: every entry in chain order, then the trailer with the chain head', async () => {
    const response = await owner.client.get(exportPath(orgId, '?format=ndjson'))
    expect(response.status, response.text).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8')
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-log-exported-org-\d{4}-\d{2}-\d{2}\.ndjson"$/)
    const lines = ndjson(response.text)
    const trailer = lines.pop()!
    expect(lines.every((line) => line.type === 'entry')).toBe(true)
    expect(lines.map((line) => line.position)).toEqual([...lines.map((line) => line.position)].sort((a, b) => a - b))
    // The export's own row is written first: it is in the file and the head is (at least) that row.
    expect(lines.at(-1)).toMatchObject({ action: 'audit_log.exported', actorId: owner.user.id, details: { format: 'ndjson', filters: {} } })
    const chain = await verifyChain(ctx.admin, orgId)
    expect(trailer).toMatchObject({ type: 'trailer', organizationId: orgId, format: 'ndjson', rows: lines.length })
    expect(trailer.chainHead).toEqual({ position: lines.at(-1)!.position, hash: lines.at(-1)!.hash })
    expect(chain.ok).toBe(true)
    expect(chain.head.position).toBeGreaterThanOrEqual(trailer.chainHead.position)
    // Each entry links to the one before it, as an auditor can check by hand.
    for (let i = 1; i < lines.length; i++) expect(lines[i]!.prevHash).toBe(lines[i - 1]!.hash)
  })

  test('a custom role holding only audit:view', async () => {
    const response = await auditor.client.get(exportPath(orgId, '?format=csv'))
    expect(response.status, response.text).toBe(200)
  })

  test('a member without audit:view is refused (403), and nothing is recorded', async () => {
    const before = await adminCount(`action = 'audit_log.exported'`)
    expectError(await member.client.get(exportPath(orgId)), 403, 'FORBIDDEN')
    expect(await adminCount(`action = 'audit_log.exported'`)).toBe(before)
  })

  test('an outsider, and a member asking for another organization, get 404', async () => {
    expectError(await outsider.client.get(exportPath(orgId)), 404, 'NOT_FOUND')
    expectError(await owner.client.get(exportPath(otherOrgId)), 404, 'NOT_FOUND')
  })

  test('a token scoped without audit:view is refused; one scoped with it exports', async () => {
    const actor = { userId: owner.user.id }
    const narrow = await createApiToken(actor, { name: 'narrow', expiresInDays: null, organizationId: orgId, permissions: ['workspace:view'] })
    expectError(await owner.client.as(narrow.token).get(exportPath(orgId)), 403, 'FORBIDDEN')
    const auditing = await createApiToken(actor, { name: 'auditing', expiresInDays: null, organizationId: orgId, permissions: ['audit:view'] })
    expect((await owner.client.as(auditing.token).get(exportPath(orgId))).status).toBe(200)
  })
})

describe('what is exported', () => {
  test('the filters are honoured, and recorded in the export’s audit row', async () => {
    const response = await auditor.client.get(exportPath(orgId, '?format=ndjson&action=workspace.&result=success'))
    const lines = ndjson(response.text)
    const trailer = lines.pop()!
    expect(lines.length).toBe(await adminCount(`action ^@ 'workspace.' and result = 'success'`))
    expect(lines.length).toBeGreaterThanOrEqual(3)
    expect(lines.every((line) => line.action.startsWith('workspace.') && line.result === 'success')).toBe(true)
    expect(trailer.filters).toEqual({ action: 'workspace.', result: 'success' })
    const { rows } = await ctx.admin.query(
      `select user_id, details, result from audit_logs where organization_id = $1 and action = 'audit_log.exported' order by chain_position desc limit 1`,
      [orgId],
    )
    expect(rows[0]).toEqual({
      user_id: auditor.user.id,
      result: 'success',
      details: { format: 'ndjson', filters: { action: 'workspace.', result: 'success' } },
    })
  })

  test('CSV: a header row, quoted cells, spreadsheet formulas defused, the trailer as a comment line', async () => {
    await ctx.admin.query(
      `insert into audit_logs (organization_id, user_id, action, resource_type, resource_id, user_agent, details, result)
       values ($1, $2, 'workspace.renamed', 'workspace', '=HYPERLINK("x")', 'Agent, "quoted"', '{"note": "line\\nbreak"}', 'success')`,
      [orgId, owner.user.id],
    )
    const response = await owner.client.get(exportPath(orgId, '?format=csv&action=workspace.renamed'))
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    const lines = response.text.split('\r\n').filter(Boolean)
    expect(lines[0]).toBe('position,id,createdAt,actorId,action,resourceType,resourceId,result,details,ipAddress,userAgent,traceId,prevHash,hash')
    expect(lines[1]).toContain(`,workspace.renamed,workspace,"'=HYPERLINK(""x"")",success,"{""note"":""line\\nbreak""}",,"Agent, ""quoted""",,`)
    expect(lines[1]).toMatch(/,[0-9a-f]{64},[0-9a-f]{64}$/)
    expect(lines).toHaveLength(3)
    const trailer = JSON.parse(lines[2]!.replace(/^# /, ''))
    expect(trailer).toMatchObject({ type: 'trailer', format: 'csv', rows: 1, chainHead: { position: expect.any(Number), hash: expect.any(String) } })
  })

  test('bad filters and formats are a 400 naming the field', async () => {
    const error = expectError(await owner.client.get(exportPath(orgId, '?format=xml&from=yesterday')), 400, 'INVALID_QUERY')
    expect(Object.keys(error.details).sort()).toEqual(['format', 'from'])
    expectError(await owner.client.get(exportPath(orgId, '?from=2025-02-01&to=2025-01-01')), 400, 'INVALID_QUERY')
  })
})

test('a reader that goes away mid-file ends the export’s transaction: no cursor stays open', async () => {
  const bigOrg = await apiCreateOrg(owner.client, 'Big Export Org')
  for (let batch = 0; batch < 30; batch++)
    await ctx.admin.query(
      `insert into audit_logs (organization_id, user_id, action, resource_type, details, result)
       select $1, $2, 'workspace.updated', 'workspace', jsonb_build_object('padding', repeat('x', 500)), 'success' from generate_series(1, 1000)`,
      [bigOrg, owner.user.id],
    )
  const aborted = new AbortController()
  const response = await fetch(new URL(exportPath(bigOrg, '?format=ndjson'), ctx.origin), {
    headers: { authorization: `Bearer ${owner.token}` },
    signal: aborted.signal,
  })
  expect(response.status).toBe(200)
  const reader = response.body!.getReader()
  expect((await reader.read()).done).toBe(false)
  aborted.abort()
  // The export's transaction ends (rolled back) rather than idling with its cursor open.
  const openTransactions = async () =>
    (
      await ctx.admin.query(
        `select count(*)::int as n from pg_stat_activity
         where datname = current_database() and usename = 'nextsaas_app' and state like 'idle in transaction%'`,
      )
    ).rows[0].n as number
  const deadline = Date.now() + 5000
  while ((await openTransactions()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  expect(await openTransactions()).toBe(0)
  expect(
    (await ctx.admin.query(`select count(*)::int as n from audit_logs where organization_id = $1 and action = 'audit_log.exported'`, [bigOrg]))
      .rows[0].n,
  ).toBe(1)
})

describe('the page door', () => {
  test('the audit page links to both exports with its filters; the link streams the file without JavaScript', async () => {
    const client = await signedUpClient(ctx.origin, 'Page Owner')
    const slug = await createOrg(client, 'Page Export Org')
    const page = await (await client.get(`/orgs/${slug}/audit?action=organization.&result=success`)).text()
    const href = `/orgs/${slug}/audit/export?action=organization.&amp;result=success&amp;format=csv`
    expect(page).toContain(`href="${href}"`)
    expect(page).toContain('Export NDJSON')
    const response = await client.get(href.replaceAll('&amp;', '&'))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    const lines = (await response.text()).split('\r\n').filter(Boolean)
    expect(lines.slice(1, -1).every((line) => line.includes(',organization.created,'))).toBe(true)
    expect(lines.at(-1)).toMatch(/^# \{"type":"trailer"/)
  })

  test('filters that do not read go back to the audit page, which says why', async () => {
    const client = await signedUpClient(ctx.origin, 'Page Typo')
    const slug = await createOrg(client, 'Page Typo Org')
    const response = await client.get(`/orgs/${slug}/audit/export?format=csv&from=soon`)
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe(`/orgs/${slug}/audit?from=soon`)
  })
})

test('the hourly export limit refuses with 429, and the usage page shows the exports', async () => {
  const limited = await signedUpClient(ctx.origin, 'Limited Owner')
  const slug = await createOrg(limited, 'Limited Export Org')
  for (let i = 0; i < EXPORTS_PER_HOUR; i++) expect((await limited.get(`/orgs/${slug}/audit/export?format=ndjson`)).status).toBe(200)
  const usage = await (await limited.get(`/orgs/${slug}/settings/usage`)).text()
  expect(usage).toMatch(new RegExp(`data-testid="policy-export"><td[^>]*>Exports</td><td[^>]*>${EXPORTS_PER_HOUR} of ${EXPORTS_PER_HOUR} per hour`))
  const refused = await limited.get(`/orgs/${slug}/audit/export?format=ndjson`)
  expect(refused.status).toBe(429)
  const { rows } = await ctx.admin.query(
    `select count(*)::int as n from audit_logs a join organizations o on o.id = a.organization_id where o.slug = $1 and a.action = 'audit_log.exported'`,
    [slug],
  )
  expect(rows[0].n).toBe(EXPORTS_PER_HOUR)
})

describe('retention, set by owners', () => {
  const retentionPath = () => `/api/organizations/${orgId}/audit-retention`
  const stored = async () => (await ctx.admin.query(`select audit_retention_days as days from organizations where id = $1`, [orgId])).rows[0].days

  test('the owner sets and clears it through the API, each change audited', async () => {
    expect(expectData(await owner.client.put(retentionPath(), { days: 400 }))).toEqual({ days: 400, maximumDays: 3650 })
    expect(await stored()).toBe(400)
    expect(expectData(await member.client.get(retentionPath()))).toEqual({ days: 400, maximumDays: 3650 })
    expect(expectData(await owner.client.put(retentionPath(), { days: null }))).toEqual({ days: null, maximumDays: 3650 })
    expect(await stored()).toBeNull()
    const { rows } = await ctx.admin.query(
      `select details from audit_logs where organization_id = $1 and action = 'organization.audit_retention_changed' order by chain_position`,
      [orgId],
    )
    expect(rows.map((r) => r.details)).toEqual([
      { from: null, to: 400 },
      { from: 400, to: null },
    ])
  })

  test('above the operator’s maximum, or not a whole number, is a field error and changes nothing', async () => {
    for (const days of [3651, 0, 1.5, 'forever', undefined]) {
      const error = expectError(await owner.client.put(retentionPath(), { days }), 422, 'VALIDATION_FAILED')
      expect(Object.keys(error.details)).toEqual(['days'])
    }
    expect(await stored()).toBeNull()
  })

  test('only owners: a custom role, a member 403; an outsider 404', async () => {
    expectError(await auditor.client.put(retentionPath(), { days: 5 }), 403, 'FORBIDDEN')
    expectError(await member.client.put(retentionPath(), { days: 5 }), 403, 'FORBIDDEN')
    expectError(await outsider.client.put(retentionPath(), { days: 5 }), 404, 'NOT_FOUND')
    expect(await stored()).toBeNull()
  })

  test('the settings page: owners save it without JavaScript; bad input keeps what was typed', async () => {
    const client = await signedUpClient(ctx.origin, 'Settings Owner')
    const slug = await createOrg(client, 'Retention Page Org')
    const page = await (await client.get(`/orgs/${slug}/settings`)).text()
    expect(page).toContain('Audit log retention')
    expect(page).toContain('At most 3650. Leave empty to keep entries as long as that.')
    const bad = await client.post(`/orgs/${slug}/settings`, { intent: 'retention', days: '99999' })
    expect(bad.status).toBe(422)
    const html = await bad.text()
    expect(html).toContain('Use at most 3650 days (the system maximum)')
    expect(html).toContain('value="99999"')
    const saved = await client.post(`/orgs/${slug}/settings`, { intent: 'retention', days: '90' })
    expect(saved.status).toBe(302)
    const { rows } = await ctx.admin.query(`select audit_retention_days as days from organizations where slug = $1`, [slug])
    expect(rows[0].days).toBe(90)
    expect(await (await client.get(`/orgs/${slug}/settings`)).text()).toContain('value="90"')
  })
})
