/**
 * Logs that join: each line of a signed-in request names the user, of a
 * tenant request the organization and the Remix route, and the audit rows a
 * request writes carry its traceId. LOG_LEVEL=debug adds the debugging tools
 * as structured lines — the tenant context, each permission decision with
 * its source, each SQL statement with its duration and no parameter values —
 * and info shows none of them.
 */
import { expect, test, vi } from 'vitest'
import { devMailboxMessages } from '~/mail/mailer.server'
import { Client, createOrg, signedUpClient, type LogLine } from '../utils/app'
import { setupApp } from '../utils/fixture'

const infoLines: LogLine[] = []
const info = setupApp({}, { log: { level: 'info', lines: infoLines } })
const debugLines: LogLine[] = []
const debug = setupApp({}, { log: { level: 'debug', lines: debugLines } })

const DEBUG_MESSAGES = ['tenant context resolved', 'permission decision', 'sql statement']
const ofRequest = (lines: LogLine[], traceId: string) => lines.filter((line) => line.traceId === traceId)

/** A new organization of the signed-up client, with its id and the client's user id. */
async function organizationOf(client: Client & { email: string }) {
  const slug = await createOrg(client, 'Joined Logs Org')
  const organization = await info.admin.query<{ id: string }>('select id from organizations where slug = $1', [slug])
  const user = await info.admin.query<{ id: string }>('select id from auth.users where email = $1', [client.email])
  return { slug, organizationId: organization.rows[0]!.id, userId: user.rows[0]!.id }
}

test('a tenant request’s lines name the user, the organization and the route; its audit row names its traceId', async () => {
  const owner = await signedUpClient(info.origin, 'Trace Owner')
  const { slug, organizationId, userId } = await organizationOf(owner)
  const response = await owner.post(`/orgs/${slug}/workspaces/new`, { name: 'Traced Workspace' })
  expect(response.status).toBe(302)
  const traceId = response.headers.get('x-request-id')!

  const completed = ofRequest(infoLines, traceId).find((line) => line.msg === 'request completed')
  expect(completed).toMatchObject({ traceId, userId, organizationId, routeId: 'routes/orgs.$org.workspaces.new', req: { method: 'POST' } })

  const audit = await info.admin.query(`select trace_id from audit_logs where organization_id = $1 and action = 'workspace.created'`, [
    organizationId,
  ])
  expect(audit.rows).toEqual([{ trace_id: traceId }])
})

test('the API’s lines name its route, and a signed-in request outside any organization its user', async () => {
  const owner = await signedUpClient(info.origin, 'Api Trace')
  const { slug, organizationId, userId } = await organizationOf(owner)
  const page = await owner.get(`/orgs/${slug}/workspaces/general.data`)
  const pageLine = ofRequest(infoLines, page.headers.get('x-request-id')!).find((line) => line.msg === 'request completed')
  expect(pageLine).toMatchObject({ userId, organizationId, routeId: 'routes/orgs.$org.workspaces.$ws._index' })

  const account = await owner.get('/account')
  const accountLine = ofRequest(infoLines, account.headers.get('x-request-id')!).find((line) => line.msg === 'request completed')
  expect(accountLine).toMatchObject({ userId, routeId: 'routes/account._index' })
  expect(accountLine).not.toHaveProperty('organizationId')

  const anonymous = await new Client(info.origin).get(`/api/organizations/${organizationId}/workspaces`)
  const apiLine = ofRequest(infoLines, anonymous.headers.get('x-request-id')!).find((line) => line.msg === 'request completed')
  expect(apiLine).toMatchObject({ routeId: 'routes/api.organizations.$orgId.workspaces', res: { statusCode: 401 } })
  expect(apiLine).not.toHaveProperty('userId')
})

test('an invitation accepted through the database function carries the traceId too', async () => {
  const owner = await signedUpClient(info.origin, 'Invite Owner')
  const invitee = await signedUpClient(info.origin, 'Invite Joiner')
  const { slug, organizationId } = await organizationOf(owner)
  await info.admin.query(`update auth.users set email_verified_at = now() where email = $1`, [invitee.email])
  expect((await owner.post(`/orgs/${slug}/members/invite`, { email: invitee.email, role: 'member' })).status).toBe(302)
  const link = await vi.waitFor(() => {
    const found = devMailboxMessages()
      .find((m) => m.to === invitee.email)
      ?.text.match(/\/invitations\/[\w-]+/)?.[0]
    if (!found) throw new Error('no invitation yet')
    return found
  })
  const accepted = await invitee.post(link, {})
  expect(accepted.status).toBe(302)
  const { rows } = await info.admin.query(`select trace_id from audit_logs where organization_id = $1 and action = 'invitation.accepted'`, [
    organizationId,
  ])
  expect(rows).toEqual([{ trace_id: accepted.headers.get('x-request-id') }])
})

test('at info, none of the debugging lines are written', () => {
  expect(infoLines.length).toBeGreaterThan(0)
  expect(infoLines.filter((line) => DEBUG_MESSAGES.includes(line.msg))).toEqual([])
})

test('at debug: the tenant context, each permission decision with its source, each statement without its values', async () => {
  const owner = await signedUpClient(debug.origin, 'Debug Owner')
  const slug = await createOrg(owner, 'Debug Org')
  const response = await owner.post(`/orgs/${slug}/workspaces/new`, { name: 'Debugged Workspace' })
  expect(response.status).toBe(302)
  const lines = ofRequest(debugLines, response.headers.get('x-request-id')!)

  const tenant = lines.find((line) => line.msg === 'tenant context resolved')
  expect(tenant?.tenant).toMatchObject({ role: 'owner', permissions: ['*'], grants: [], tokenScope: null })
  const decision = lines.find((line) => line.msg === 'permission decision')
  expect(decision).toMatchObject({ permission: 'workspace:create', allowed: true, source: 'role' })

  const statements = lines.filter((line) => line.msg === 'sql statement')
  expect(statements.length).toBeGreaterThan(1)
  for (const line of statements) expect(line.sql.durationMs).toEqual(expect.any(Number))
  // Once the tenant is resolved, the request's statements name it (the first ones resolve it).
  for (const line of lines.slice(lines.indexOf(tenant!))) expect(line).toHaveProperty('organizationId')
  const insert = statements.find((line) => /insert into workspaces/i.test(line.sql.sql))
  expect(insert?.sql.parameters).toContain('string')
  expect(JSON.stringify(lines), 'parameter values stay out of the log').not.toContain('Debugged Workspace')
})

test('at debug, a refusal by a token’s scope says so', async () => {
  const owner = await signedUpClient(debug.origin, 'Scope Owner')
  const slug = await createOrg(owner, 'Scoped Org')
  const organizationId = (await debug.admin.query<{ id: string }>('select id from organizations where slug = $1', [slug])).rows[0]!.id
  const created = await owner.request('/account/tokens', {
    method: 'POST',
    body: new URLSearchParams([
      ['intent', 'create'],
      ['name', 'Viewer'],
      ['expiresIn', '30'],
      ['permissions', 'workspace:view'],
    ]),
  })
  const token = /value="(nsp_[\w-]+)"/.exec(await created.text())?.[1]
  expect(token).toBeDefined()
  const refused = await fetch(new URL(`/api/organizations/${organizationId}/workspaces`, debug.origin), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Not allowed' }),
  })
  expect(refused.status).toBe(403)
  const decision = ofRequest(debugLines, refused.headers.get('x-request-id')!).find((line) => line.msg === 'permission decision')
  expect(decision).toMatchObject({ permission: 'workspace:create', allowed: false, source: 'token-scope' })
})

test('a page loaded before single fetch still gets its ?_data answer, logged as a warning, not an error', async () => {
  const response = await new Client(info.origin).get('/login?_data=routes%2Flogin')
  expect(response.status).toBe(200)
  const lines = ofRequest(infoLines, response.headers.get('x-request-id')!)
  expect(lines.find((line) => String(line.msg).includes('?_data'))).toMatchObject({ level: 40 })
  expect(lines.some((line) => Number(line.level) >= 50)).toBe(false)
})
