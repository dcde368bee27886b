/**
 * The API contract, endpoint by endpoint and role by role: the status each
 * caller gets, the envelope around it, and (for successes) a body that
 * matches the schema the OpenAPI document publishes.
 */
import { beforeAll, describe, expect, test } from 'vitest'
import type { z } from 'zod'
import {
  AuditLogResource,
  InvitationResource,
  MemberResource,
  OrganizationResource,
  ProjectResource,
  RoleListItem,
  RoleResource,
  WorkspaceListItem,
  WorkspaceResource,
} from '~/api/schemas.server'
import { createApiToken, revokeApiToken } from '~/models/api-token.server'
import { ApiClient, apiCreateOrg, apiSignup, expectData, expectError, type ApiResponse, type ApiUser } from '../utils/api'
import { setupApp } from '../utils/fixture'
import { addMember } from '../utils/tenants'

const ROLES = ['owner', 'admin', 'member', 'custom', 'auditor', 'outsider', 'anonymous', 'revoked'] as const
type Role = (typeof ROLES)[number]

const ctx = setupApp()
const callers = {} as Record<Role, ApiClient>
let owner: ApiUser
let orgId: string
let workspaceId: string
let projectId: string

/** A custom role: may view and edit workspaces, view projects and read the audit log; nothing else. */
const EDITOR_PERMISSIONS = ['organization:view', 'workspace:view', 'workspace:update', 'project:view', 'audit:view']
/** A custom role with no view permission but the audit log's: it must see no workspace or project. */
const AUDITOR_PERMISSIONS = ['audit:view']

beforeAll(async () => {
  owner = await apiSignup(ctx.origin, 'Olga Owner')
  const [orgAdmin, member, custom, auditor, outsider] = await Promise.all(
    ['Adam Admin', 'Mia Member', 'Cleo Custom', 'Aude Auditor', 'Oscar Outsider'].map((name) => apiSignup(ctx.origin, name)),
  )
  orgId = await apiCreateOrg(owner.client, 'Contract Org')
  await apiCreateOrg(outsider!.client, 'Outsider Org')
  await ctx.admin.query(
    `insert into roles (organization_id, key, name, permissions) values ($1, 'editor', 'Editor', $2), ($1, 'auditor', 'Auditor', $3)`,
    [orgId, EDITOR_PERMISSIONS, AUDITOR_PERMISSIONS],
  )
  await addMember(ctx.admin, orgId, orgAdmin!.user.id, 'admin')
  await addMember(ctx.admin, orgId, member!.user.id, 'member')
  await addMember(ctx.admin, orgId, custom!.user.id, 'editor')
  await addMember(ctx.admin, orgId, auditor!.user.id, 'auditor')
  const revoked = await createApiToken({ userId: owner.user.id }, { name: 'revoked', expiresInDays: null, organizationId: null, permissions: null })
  await revokeApiToken({ userId: owner.user.id }, revoked.record.id)

  const anonymous = new ApiClient(ctx.origin)
  Object.assign(callers, {
    owner: owner.client,
    admin: orgAdmin!.client,
    member: member!.client,
    custom: custom!.client,
    auditor: auditor!.client,
    outsider: outsider!.client,
    anonymous,
    revoked: anonymous.as(revoked.token),
  })
  workspaceId = await newWorkspace('Fixture workspace')
  projectId = await newProject(workspaceId, 'Fixture project')
})

let serial = 0
/** Someone who just joined as a plain member: a target for role changes and removal. */
async function newMember() {
  const { rows } = await ctx.admin.query(`insert into auth.users (email, name) values ($1, 'Newcomer') returning id`, [
    `newcomer-${process.pid}-${++serial}@example.test`,
  ])
  await addMember(ctx.admin, orgId, rows[0].id, 'member')
  return (await ctx.admin.query('select id from organization_members where organization_id = $1 and user_id = $2', [orgId, rows[0].id])).rows[0]
    .id as string
}
async function newWorkspace(name: string) {
  const { rows } = await ctx.admin.query(`insert into workspaces (organization_id, name, slug) values ($1, $2, $3) returning id`, [
    orgId,
    name,
    `ws-${++serial}`,
  ])
  return rows[0].id as string
}
async function newProject(wsId: string, name: string) {
  const { rows } = await ctx.admin.query(`insert into projects (organization_id, workspace_id, name, slug) values ($1, $2, $3, $4) returning id`, [
    orgId,
    wsId,
    name,
    `project-${++serial}`,
  ])
  return rows[0].id as string
}

const org = () => `/api/organizations/${orgId}`
const ws = (id = workspaceId) => `${org()}/workspaces/${id}`
const project = (id = projectId) => `${ws()}/projects/${id}`

interface Case {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  path: string
  /** The resource path, made fresh per call where the call destroys it. */
  target: () => Promise<string> | string
  /** Made per call: creations need names that do not clash. */
  body?: () => unknown
  schema?: z.ZodTypeAny
  /** Status per role; roles left out get 401 (anonymous, revoked) or must be given. */
  expect: Record<Exclude<Role, 'anonymous' | 'revoked'>, number>
}

/** Every member gets `status`, but the auditor, whose role holds no view permission: 403 unless told. */
const everyone = (status: number, outsider = 404, auditor = 403) => ({
  owner: status,
  admin: status,
  member: status,
  custom: status,
  auditor,
  outsider,
})

const CASES: Case[] = [
  { method: 'GET', path: '/api/organizations', target: () => '/api/organizations', schema: OrganizationResource, expect: everyone(200, 200, 200) },
  {
    method: 'POST',
    path: '/api/organizations',
    target: () => '/api/organizations',
    body: () => ({ name: 'Made by API' }),
    schema: OrganizationResource,
    expect: everyone(201, 201, 201),
  },
  { method: 'GET', path: '/api/organizations/{orgId}', target: org, schema: OrganizationResource, expect: everyone(200) },
  {
    method: 'PATCH',
    path: '/api/organizations/{orgId}',
    target: org,
    body: () => ({ name: 'Contract Org' }),
    schema: OrganizationResource,
    expect: { owner: 200, admin: 200, member: 403, custom: 403, auditor: 403, outsider: 404 },
  },
  {
    method: 'DELETE',
    path: '/api/organizations/{orgId}',
    // The owner deletes an organization of their own; the others try the shared one.
    target: org,
    expect: { owner: 204, admin: 403, member: 403, custom: 403, auditor: 403, outsider: 404 },
  },
  {
    method: 'GET',
    path: '/api/organizations/{orgId}/workspaces',
    target: () => `${org()}/workspaces`,
    schema: WorkspaceListItem,
    expect: everyone(200),
  },
  {
    method: 'POST',
    path: '/api/organizations/{orgId}/workspaces',
    target: () => `${org()}/workspaces`,
    body: () => ({ name: `API workspace ${++serial}` }),
    schema: WorkspaceResource,
    expect: { owner: 201, admin: 201, member: 403, custom: 403, auditor: 403, outsider: 404 },
  },
  { method: 'GET', path: '/api/organizations/{orgId}/workspaces/{wsId}', target: () => ws(), schema: WorkspaceResource, expect: everyone(200) },
  {
    method: 'PUT',
    path: '/api/organizations/{orgId}/workspaces/{wsId}',
    target: () => ws(),
    body: () => ({ name: 'Fixture workspace', slug: 'fixture' }),
    schema: WorkspaceResource,
    expect: { owner: 200, admin: 200, member: 403, custom: 200, auditor: 403, outsider: 404 },
  },
  {
    method: 'PATCH',
    path: '/api/organizations/{orgId}/workspaces/{wsId}',
    target: () => ws(),
    body: () => ({ description: 'Patched' }),
    schema: WorkspaceResource,
    expect: { owner: 200, admin: 200, member: 403, custom: 200, auditor: 403, outsider: 404 },
  },
  {
    method: 'DELETE',
    path: '/api/organizations/{orgId}/workspaces/{wsId}',
    target: async () => ws(await newWorkspace('Doomed')),
    expect: { owner: 204, admin: 204, member: 403, custom: 403, auditor: 403, outsider: 404 },
  },
  {
    method: 'GET',
    path: '/api/organizations/{orgId}/workspaces/{wsId}/projects',
    target: () => `${ws()}/projects`,
    schema: ProjectResource,
    expect: everyone(200),
  },
  {
    method: 'POST',
    path: '/api/organizations/{orgId}/workspaces/{wsId}/projects',
    target: () => `${ws()}/projects`,
    body: () => ({ name: `API project ${++serial}` }),
    schema: ProjectResource,
    expect: { owner: 201, admin: 201, member: 201, custom: 403, auditor: 403, outsider: 404 },
  },
  {
    method: 'GET',
    path: '/api/organizations/{orgId}/workspaces/{wsId}/projects/{projectId}',
    target: () => project(),
    schema: ProjectResource,
    expect: everyone(200),
  },
  {
    method: 'PATCH',
    path: '/api/organizations/{orgId}/workspaces/{wsId}/projects/{projectId}',
    target: () => project(),
    body: () => ({ description: 'Patched' }),
    schema: ProjectResource,
    expect: { owner: 200, admin: 200, member: 403, custom: 403, auditor: 403, outsider: 404 },
  },
  {
    method: 'DELETE',
    path: '/api/organizations/{orgId}/workspaces/{wsId}/projects/{projectId}',
    target: async () => project(await newProject(workspaceId, 'Doomed')),
    expect: { owner: 204, admin: 204, member: 403, custom: 403, auditor: 403, outsider: 404 },
  },
  {
    method: 'GET',
    path: '/api/organizations/{orgId}/members',
    target: () => `${org()}/members`,
    schema: MemberResource,
    expect: { owner: 200, admin: 200, member: 403, custom: 403, auditor: 403, outsider: 404 },
  },
  {
    method: 'POST',
    path: '/api/organizations/{orgId}/members/invite',
    target: () => `${org()}/members/invite`,
    body: () => ({ email: `invitee-${process.pid}-${++serial}@example.test`, role: 'member' }),
    schema: InvitationResource,
    expect: { owner: 201, admin: 201, member: 403, custom: 403, auditor: 403, outsider: 404 },
  },
  {
    method: 'PUT',
    path: '/api/organizations/{orgId}/members/{memberId}/role',
    target: async () => `${org()}/members/${await newMember()}/role`,
    body: () => ({ role: 'editor' }),
    schema: MemberResource,
    expect: { owner: 200, admin: 200, member: 403, custom: 403, auditor: 403, outsider: 404 },
  },
  {
    method: 'DELETE',
    path: '/api/organizations/{orgId}/members/{memberId}',
    target: async () => `${org()}/members/${await newMember()}`,
    expect: { owner: 204, admin: 204, member: 403, custom: 403, auditor: 403, outsider: 404 },
  },
  {
    method: 'GET',
    path: '/api/organizations/{orgId}/roles',
    target: () => `${org()}/roles`,
    schema: RoleListItem,
    expect: { owner: 200, admin: 200, member: 403, custom: 403, auditor: 403, outsider: 404 },
  },
  {
    method: 'POST',
    path: '/api/organizations/{orgId}/roles',
    target: () => `${org()}/roles`,
    body: () => ({ name: `Reviewer ${++serial}`, permissions: ['project:view'] }),
    schema: RoleResource,
    expect: { owner: 201, admin: 201, member: 403, custom: 403, auditor: 403, outsider: 404 },
  },
  {
    method: 'GET',
    path: '/api/organizations/{orgId}/roles/{roleId}',
    target: async () =>
      `${org()}/roles/${(await ctx.admin.query(`select id from roles where organization_id = $1 and key = 'editor'`, [orgId])).rows[0].id}`,
    schema: RoleResource,
    expect: { owner: 200, admin: 200, member: 403, custom: 403, auditor: 403, outsider: 404 },
  },
  {
    method: 'GET',
    path: '/api/organizations/{orgId}/audit-logs',
    target: () => `${org()}/audit-logs`,
    schema: AuditLogResource,
    expect: { owner: 200, admin: 200, member: 403, custom: 200, auditor: 200, outsider: 404 },
  },
]

function statusFor(c: Case, role: Role) {
  return role === 'anonymous' || role === 'revoked' ? 401 : c.expect[role]
}

function checkBody(c: Case, response: ApiResponse, status: number) {
  if (status === 204) {
    expect(response.text).toBe('')
    expect(response.headers.get('cache-control')).toBe('no-store')
    return
  }
  if (status >= 400) {
    expectError(response, status)
    return
  }
  const data = expectData(response, status)
  if (c.schema) {
    const list = Array.isArray(data)
    ;(list ? data : [data]).forEach((item: unknown) => c.schema!.parse(item))
    if (list) expect(response.body.meta).toEqual({ total: expect.any(Number), page: 1, pageSize: 20 })
    expect(JSON.stringify(data)).not.toMatch(/hash|password|token/i)
  }
  if (status === 201)
    expect(response.headers.get('location')).toMatch(
      c.path.endsWith('/invite') ? /^\/api\/organizations\/[\w-]+\/invitations$/ : new RegExp(`^/api/.+/${data.id}$`),
    )
}

describe.each(CASES)('$method $path', (c) => {
  test.each(ROLES.map((role) => [role, statusFor(c, role)] as const))('%s → %i', async (role, status) => {
    let path = await c.target()
    if (c.method === 'DELETE' && c.path === '/api/organizations/{orgId}' && role === 'owner') {
      path = `/api/organizations/${await apiCreateOrg(owner.client, 'Owner deletes this')}`
    }
    const response = await callers[role].request(c.method, path, c.body?.())
    checkBody(c, response, status)
  })
})

describe('what the answers mean', () => {
  test('a 403 leaves an audit row; the resource is unchanged', async () => {
    const before = await ctx.admin.query('select name from workspaces where id = $1', [workspaceId])
    expectError(await callers.member.patch(ws(), { name: 'Not allowed' }), 403, 'FORBIDDEN')
    expect((await ctx.admin.query('select name from workspaces where id = $1', [workspaceId])).rows).toEqual(before.rows)
    const denied = await ctx.admin.query(
      `select count(*)::int as n from audit_logs where organization_id = $1 and action = 'permission.denied' and resource_id = $2`,
      [orgId, workspaceId],
    )
    expect(denied.rows[0].n).toBeGreaterThan(0)
  })

  test('POST answers with the created resource at its Location', async () => {
    const created = await callers.owner.post(`${org()}/workspaces`, { name: 'Located', color: '#112233' })
    const data = expectData(created, 201)
    expect(created.headers.get('location')).toBe(ws(data.id))
    expect(expectData(await callers.owner.get(created.headers.get('location')!))).toEqual(data)
  })

  test('PATCH changes only the fields given; PUT replaces them all', async () => {
    const id = await newWorkspace('Patchable')
    await callers.owner.put(ws(id), { name: 'Patchable', slug: 'patchable', description: 'Kept', icon: '🎨', color: '#AA00FF' })
    const patched = expectData(await callers.owner.patch(ws(id), { description: 'Changed' }))
    expect(patched).toMatchObject({ name: 'Patchable', slug: 'patchable', description: 'Changed', icon: '🎨', color: '#AA00FF' })
    const replaced = expectData(await callers.owner.put(ws(id), { name: 'Replaced Name' }))
    expect(replaced).toMatchObject({ name: 'Replaced Name', slug: 'replaced-name', description: '', icon: '🏢', color: '#3B82F6' })
  })

  test('a slug clash is a 409 naming the slug field', async () => {
    const error = expectError(await callers.owner.post(`${org()}/workspaces`, { name: 'Clash', slug: 'general' }), 409, 'CONFLICT')
    expect(Object.keys(error.details)).toEqual(['slug'])
    const orgError = expectError(
      await callers.owner.patch(org(), {
        slug: (await ctx.admin.query(`select slug from organizations where id <> $1 limit 1`, [orgId])).rows[0].slug,
      }),
      409,
      'CONFLICT',
    )
    expect(Object.keys(orgError.details)).toEqual(['slug'])
  })

  test('the last workspace of an organization cannot be deleted (409)', async () => {
    const lonely = await apiCreateOrg(owner.client, 'One workspace only')
    const [general] = expectData(await callers.owner.get(`/api/organizations/${lonely}/workspaces`))
    expectError(await callers.owner.delete(`/api/organizations/${lonely}/workspaces/${general.id}`), 409, 'LAST_WORKSPACE')
  })

  test('deleting the default workspace takes workspace:delete organization-wide, not a grant on it (403)', async () => {
    const scoped = await apiSignup(ctx.origin, 'Gus Granted')
    await addMember(ctx.admin, orgId, scoped.user.id, 'member')
    const {
      rows: [general],
    } = await ctx.admin.query(`select id from workspaces where organization_id = $1 and is_default`, [orgId])
    await ctx.admin.query(
      `insert into role_grants (organization_id, member_id, role, workspace_id)
       select $1, id, 'admin', $3 from organization_members where organization_id = $1 and user_id = $2`,
      [orgId, scoped.user.id, general.id],
    )
    expectError(await scoped.client.delete(ws(general.id)), 403, 'FORBIDDEN')
    expect((await ctx.admin.query(`select id from workspaces where organization_id = $1 and is_default`, [orgId])).rows).toEqual([general])
  })

  test('projects archive and restore through PATCH status', async () => {
    const id = await newProject(workspaceId, 'Archivable')
    expect(expectData(await callers.owner.patch(project(id), { status: 'archived' })).status).toBe('archived')
    expect(expectData(await callers.owner.patch(project(id), { status: 'active', name: 'Restored' }))).toMatchObject({
      status: 'active',
      name: 'Restored',
    })
    expectError(await callers.owner.patch(project(id), { status: 'deleted' }), 422, 'VALIDATION_FAILED')
  })

  test('a project is reached only through its own workspace', async () => {
    const other = await newWorkspace('Other')
    expectError(await callers.owner.get(`${org()}/workspaces/${other}/projects/${projectId}`), 404, 'NOT_FOUND')
    expectError(await callers.owner.delete(`${org()}/workspaces/${other}/projects/${projectId}`), 404, 'NOT_FOUND')
    expect((await ctx.admin.query('select 1 from projects where id = $1', [projectId])).rowCount).toBe(1)
  })

  test('lists page with meta and links; links.next walks the whole list', async () => {
    for (let i = 0; i < 5; i++) await newWorkspace(`Paged ${i}`)
    const seen = new Set<string>()
    let next: string | undefined = `${org()}/workspaces?pageSize=2`
    let pages = 0
    let total = 0
    while (next) {
      const response = await callers.owner.get(next)
      const data = expectData(response)
      expect(data.length).toBeLessThanOrEqual(2)
      for (const item of data) seen.add(item.id)
      total = response.body.meta.total
      expect(response.body.links.self).toBeTruthy()
      if (pages > 0) expect(response.body.links.prev).toBeTruthy()
      next = response.body.links.next
      pages++
    }
    expect(seen.size).toBe(total)
    expect(pages).toBe(Math.ceil(total / 2))
  })

  test('members and roles never escalate: nobody acts above their own permissions or on themselves', async () => {
    const ownerMember = (
      await ctx.admin.query('select id from organization_members where organization_id = $1 and user_id = $2', [orgId, owner.user.id])
    ).rows[0].id
    // Each refusal names the rule that refused it.
    expectError(await callers.admin.put(`${org()}/members/${ownerMember}/role`, { role: 'member' }), 403, 'ESCALATION')
    expectError(await callers.admin.delete(`${org()}/members/${ownerMember}`), 403, 'ESCALATION')
    expectError(await callers.owner.put(`${org()}/members/${ownerMember}/role`, { role: 'admin' }), 403, 'SELF')
    const invite = expectError(
      await callers.admin.post(`${org()}/members/invite`, { email: 'would-be-owner@example.test', role: 'owner' }),
      403,
      'ESCALATION',
    )
    expect(Object.keys(invite.details)).toEqual(['role'])
    const role = expectError(await callers.admin.post(`${org()}/roles`, { name: 'Deleter', permissions: ['organization:delete'] }), 403, 'ESCALATION')
    expect(Object.keys(role.details)).toEqual(['permissions'])
    expect((await ctx.admin.query('select role from organization_members where id = $1', [ownerMember])).rows[0].role).toBe('owner')
    expect((await ctx.admin.query(`select 1 from roles where organization_id = $1 and name = 'Deleter'`, [orgId])).rowCount).toBe(0)
  })

  test('role and invitation refusals name the field: unknown role or permission 422, duplicates 409', async () => {
    const target = await newMember()
    expect(
      expectError(await callers.owner.put(`${org()}/members/${target}/role`, { role: 'emperor' }), 422, 'VALIDATION_FAILED').details,
    ).toHaveProperty('role')
    expect(
      expectError(await callers.owner.post(`${org()}/roles`, { name: 'Odd', permissions: ['root:everything'] }), 422, 'VALIDATION_FAILED').details,
    ).toHaveProperty('permissions')
    expect(expectError(await callers.owner.post(`${org()}/roles`, { name: 'editor' }), 409, 'CONFLICT').details).toHaveProperty('name')
    const invited = `twice-${process.pid}@example.test`
    expectData(await callers.owner.post(`${org()}/members/invite`, { email: invited, role: 'member' }), 201)
    expect(
      expectError(await callers.owner.post(`${org()}/members/invite`, { email: invited, role: 'member' }), 409, 'CONFLICT').details,
    ).toHaveProperty('email')
  })

  test('page size has a maximum; malformed paging is a 400 naming the parameter', async () => {
    expect(expectError(await callers.owner.get(`${org()}/workspaces?pageSize=1000`), 400, 'INVALID_QUERY').details).toHaveProperty('pageSize')
    expect(expectError(await callers.owner.get(`${org()}/workspaces?page=abc`), 400, 'INVALID_QUERY').details).toHaveProperty('page')
    expect(expectError(await callers.owner.get(`${org()}/workspaces?sort=chaos`), 400, 'INVALID_QUERY').details).toHaveProperty('sort')
    expect(expectError(await callers.owner.get('/api/organizations?sort=recent'), 400, 'INVALID_QUERY').details).toHaveProperty('sort')
  })
})
