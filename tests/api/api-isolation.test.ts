/**
 * Tenant isolation through the API. For every documented operation that
 * takes an id (read from the OpenAPI document, so new routes join in by
 * themselves), another tenant's token gets the same 404 as for an id that
 * does not exist, learns nothing of the first tenant, and changes nothing.
 */
import { beforeAll, describe, expect, test } from 'vitest'
import { apiCreateOrg, apiSignup, expectError, type ApiResponse, type ApiUser } from '../utils/api'
import { setupApp } from '../utils/fixture'

// Hundreds of requests as one user: the rate limits have their own tests.
process.env.RATE_LIMIT_ENABLED = 'false'

const ctx = setupApp()
let alice: ApiUser
let mallory: ApiUser
let operations: { method: string; template: string }[]

/** Everything of Alice's that must not show up in Mallory's answers. */
const secrets: string[] = []
const ids = { orgId: '', wsId: '', projectId: '', memberId: '', roleId: '' }
let malloryOrg = ''
let malloryWs = ''

const NOWHERE = '00000000-0000-4000-8000-000000000000'

beforeAll(async () => {
  alice = await apiSignup(ctx.origin, 'Alice Isolated')
  mallory = await apiSignup(ctx.origin, 'Mallory Prober')
  ids.orgId = await apiCreateOrg(alice.client, 'Alice Secret Org')
  const ws = await alice.client.post(`/api/organizations/${ids.orgId}/workspaces`, { name: 'Alice Secret Workspace', description: 'classified' })
  ids.wsId = ws.body.data.id
  const project = await alice.client.post(`/api/organizations/${ids.orgId}/workspaces/${ids.wsId}/projects`, { name: 'Alice Secret Project' })
  ids.projectId = project.body.data.id
  ids.memberId = (await ctx.admin.query('select id from organization_members where organization_id = $1', [ids.orgId])).rows[0].id
  const role = await alice.client.post(`/api/organizations/${ids.orgId}/roles`, { name: 'Alice Secret Role', permissions: ['workspace:view'] })
  ids.roleId = role.body.data.id
  const slug = (await ctx.admin.query('select slug from organizations where id = $1', [ids.orgId])).rows[0].slug
  secrets.push(...Object.values(ids), slug, 'Alice Secret', 'classified', alice.user.email, alice.user.id)

  malloryOrg = await apiCreateOrg(mallory.client, 'Mallory Org')
  malloryWs = (await mallory.client.get(`/api/organizations/${malloryOrg}/workspaces`)).body.data[0].id

  const document = (await alice.client.get('/api/openapi.json')).body as { paths: Record<string, Record<string, unknown>> }
  operations = Object.entries(document.paths)
    .filter(([template]) => template.includes('{'))
    .flatMap(([template, item]) => Object.keys(item).map((method) => ({ method: method.toUpperCase(), template })))
})

/** A body that would pass validation for any operation, so that only the address can fail. */
const PLAUSIBLE_BODY = { name: 'Intruder', description: 'x', email: 'intruder@example.test', role: 'member', permissions: [] }

function fill(template: string, values: Record<string, string>) {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? NOWHERE)
}

async function call(user: ApiUser, method: string, path: string): Promise<ApiResponse> {
  return user.client.request(method, path, method === 'GET' || method === 'DELETE' ? undefined : PLAUSIBLE_BODY)
}

/** Rows of Alice's tenant, whole: any change shows. */
async function aliceState() {
  const { rows } = await ctx.admin.query(
    `select (select json_agg(o) from organizations o where id = $1) as org,
            (select json_agg(w order by id) from workspaces w where organization_id = $1) as workspaces,
            (select json_agg(p order by id) from projects p where organization_id = $1) as projects,
            (select json_agg(m order by id) from organization_members m where organization_id = $1) as members,
            (select json_agg(r order by id) from roles r where organization_id = $1) as roles,
            (select count(*) from audit_logs where organization_id = $1) as audit`,
    [ids.orgId],
  )
  return rows[0]
}

function expectNothingLeaks(response: ApiResponse) {
  for (const secret of secrets) expect(response.text, `leaks ${secret}`).not.toContain(secret)
}

describe('another tenant’s ids', () => {
  test('the document lists id-taking operations to probe', () => {
    expect(operations.length).toBeGreaterThanOrEqual(10)
  })

  test('every id-taking operation answers 404, leaks nothing and changes nothing', async () => {
    const before = await aliceState()
    for (const { method, template } of operations) {
      const theirs = await call(mallory, method, fill(template, ids))
      const label = `${method} ${template}`
      expect(theirs.status, label).toBe(404)
      expectError(theirs, 404, 'NOT_FOUND')
      expectNothingLeaks(theirs)
    }
    expect(await aliceState()).toEqual(before)
  })

  test('the answer is the same as for ids that exist nowhere', async () => {
    for (const { method, template } of operations) {
      const theirs = await call(mallory, method, fill(template, ids))
      const nowhere = await call(mallory, method, fill(template, {}))
      expect(theirs.status).toBe(nowhere.status)
      expect(theirs.body.error.message, `${method} ${template}`).toBe(nowhere.body.error.message)
      expect(theirs.body.error.details).toEqual(nowhere.body.error.details)
    }
  })

  test('mixing one’s own organization with another tenant’s workspace, project or member is a 404 too', async () => {
    const before = await aliceState()
    const probes = [
      // Mallory's organization, Alice's workspace (and what hangs below it), member or role.
      ...operations
        .filter((op) => ['{wsId}', '{memberId}', '{roleId}'].some((param) => op.template.includes(param)))
        .map((op) => ({ ...op, path: fill(op.template, { ...ids, orgId: malloryOrg }) })),
      // Mallory's organization and workspace, Alice's project.
      ...operations
        .filter((op) => op.template.includes('{projectId}'))
        .map((op) => ({ ...op, path: fill(op.template, { ...ids, orgId: malloryOrg, wsId: malloryWs }) })),
    ]
    expect(probes.length).toBeGreaterThan(0)
    for (const { method, path } of probes) {
      const response = await call(mallory, method, path)
      expect(response.status, `${method} ${path}`).toBe(404)
      expectNothingLeaks(response)
    }
    expect(await aliceState()).toEqual(before)
  })

  test('lists show only the caller’s own tenant', async () => {
    const list = await mallory.client.get('/api/organizations')
    expect(list.status).toBe(200)
    expect(list.body.data.map((o: { id: string }) => o.id)).toEqual([malloryOrg])
    expectNothingLeaks(list)
    const workspaces = await mallory.client.get(`/api/organizations/${malloryOrg}/workspaces?pageSize=100`)
    expectNothingLeaks(workspaces)
  })

  test('the audit log of one’s own organization holds nothing of another tenant’s, whatever the filter', async () => {
    const audit = `/api/organizations/${malloryOrg}/audit-logs`
    for (const query of ['?pageSize=100', '?action=workspace.', '?resourceType=project', '?result=success', '?from=2000-01-01']) {
      const response = await mallory.client.get(`${audit}${query}`)
      expect(response.status, query).toBe(200)
      expect(response.body.data.length, query).toBeLessThanOrEqual(response.body.meta.total)
      expectNothingLeaks(response)
    }
    // Naming Alice finds nothing (the id is only echoed back in the links).
    const named = await mallory.client.get(`${audit}?userId=${alice.user.id}`)
    expect(named.body).toMatchObject({ data: [], meta: { total: 0 } })
    // Alice's own log does have her entries: the filter is not simply broken.
    const hers = await alice.client.get(`/api/organizations/${ids.orgId}/audit-logs?userId=${alice.user.id}`)
    expect(hers.body.meta.total).toBeGreaterThan(0)
  })

  test('a body naming another tenant’s ids cannot move data there (fields outside the schema are ignored)', async () => {
    const before = await aliceState()
    const created = await mallory.client.post(`/api/organizations/${malloryOrg}/workspaces`, {
      name: 'Smuggled',
      organization_id: ids.orgId,
      organizationId: ids.orgId,
      id: ids.wsId,
    })
    expect(created.status).toBe(201)
    expect(created.body.data.organizationId).toBe(malloryOrg)
    expect(created.body.data.id).not.toBe(ids.wsId)
    const patched = await mallory.client.patch(`/api/organizations/${malloryOrg}/workspaces/${malloryWs}`, {
      organization_id: ids.orgId,
      organizationId: ids.orgId,
      name: 'Still mine',
    })
    expect(patched.status).toBe(200)
    expect(patched.body.data.organizationId).toBe(malloryOrg)
    expect(await aliceState()).toEqual(before)
  })

  test('the first tenant still reaches all of it (the 404s were not just broken routes)', async () => {
    for (const { template } of operations.filter((op) => op.method === 'GET')) {
      if (template.endsWith('/events')) {
        // An event stream stays open: its answer is the status and the type, then it is closed.
        const response = await fetch(new URL(fill(template, ids), ctx.origin), { headers: { authorization: `Bearer ${alice.client.token}` } })
        expect(response.status, `GET ${template}`).toBe(200)
        expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
        await response.body?.cancel()
        continue
      }
      const response = await alice.client.get(fill(template, ids))
      expect(response.status, `GET ${template}`).toBe(200)
    }
  })
})
