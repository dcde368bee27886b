/**
 * Role administration through the API, role by role, with the typed client
 * (openapi-fetch over the generated types): editing and deleting roles,
 * scoped grants, member status, ownership transfer, pending invitations and
 * the permission tracer. Each answers with the same guards, models and audit
 * rows as the member and role pages.
 */
import { beforeAll, describe, expect, test } from 'vitest'
import type { z } from 'zod'
import {
  GrantResource,
  InvitationResource,
  MemberResource,
  PendingInvitationResource,
  PermissionTraceResource,
  RoleResource,
} from '~/api/schemas.server'
import { createApiToken } from '~/models/api-token.server'
import { apiCreateOrg, apiSignup, expectData, expectError, type ApiResponse, type ApiUser } from '../utils/api'
import { setupApp } from '../utils/fixture'
import { addMember } from '../utils/tenants'
import { typedApi, type TypedApi } from '../utils/typed-api'

const ROLES = ['owner', 'admin', 'member', 'keeper', 'viewer', 'auditor', 'outsider'] as const
type Role = (typeof ROLES)[number]

const ctx = setupApp()
const callers = {} as Record<Role, TypedApi>
let owner: ApiUser
let orgId: string
let otherOrgId: string
let workspaceId: string
let projectId: string
let otherWorkspaceId: string

/** A custom role with every permission role administration takes, and the member role's (so that it may hand that one out). */
const KEEPER = [
  'organization:view',
  'workspace:view',
  'project:view',
  'project:create',
  'member:view',
  'member:update',
  'member:invite',
  'role:view',
  'role:manage',
]
/** A custom role that sees members and roles but may change nothing. */
const VIEWER = ['organization:view', 'member:view', 'role:view']

const one = async (text: string, values: unknown[] = []) => (await ctx.admin.query(text, values)).rows[0]

beforeAll(async () => {
  owner = await apiSignup(ctx.origin, 'Olga Owner')
  const others = await Promise.all(
    ['Adam Admin', 'Mia Member', 'Kim Keeper', 'Vic Viewer', 'Aude Auditor', 'Oscar Outsider'].map((n) => apiSignup(ctx.origin, n)),
  )
  const [orgAdmin, member, keeper, viewer, auditor, outsider] = others as [ApiUser, ApiUser, ApiUser, ApiUser, ApiUser, ApiUser]
  orgId = await apiCreateOrg(owner.client, 'Admin API Org')
  otherOrgId = await apiCreateOrg(outsider.client, 'Outsider Org')
  await ctx.admin.query(
    `insert into roles (organization_id, key, name, permissions)
     values ($1, 'keeper', 'Keeper', $2), ($1, 'viewer', 'Viewer', $3), ($1, 'auditor', 'Auditor', '{audit:view}')`,
    [orgId, KEEPER, VIEWER],
  )
  for (const [user, role] of [
    [orgAdmin, 'admin'],
    [member, 'member'],
    [keeper, 'keeper'],
    [viewer, 'viewer'],
    [auditor, 'auditor'],
  ] as const) {
    await addMember(ctx.admin, orgId, user.user.id, role)
  }
  Object.assign(callers, {
    owner: owner.client.typed,
    admin: orgAdmin.client.typed,
    member: member.client.typed,
    keeper: keeper.client.typed,
    viewer: viewer.client.typed,
    auditor: auditor.client.typed,
    outsider: outsider.client.typed,
  })
  workspaceId = (await one(`select id from workspaces where organization_id = $1 and is_default`, [orgId])).id
  projectId = (
    await one(`insert into projects (organization_id, workspace_id, name, slug) values ($1, $2, 'Apollo', 'apollo') returning id`, [
      orgId,
      workspaceId,
    ])
  ).id
  otherWorkspaceId = (await one(`select id from workspaces where organization_id = $1 and is_default`, [otherOrgId])).id
})

let serial = 0
/** A new plain member of the organization (a target to change); returns the membership id. */
async function newMember(role = 'member', organizationId = orgId) {
  const user = await one(`insert into auth.users (email, name) values ($1, $2) returning id`, [
    `target-${process.pid}-${++serial}@example.test`,
    `Target ${serial}`,
  ])
  await addMember(ctx.admin, organizationId, user.id, role)
  return (await one('select id from organization_members where organization_id = $1 and user_id = $2', [organizationId, user.id])).id as string
}
/** A custom role with `permissions`; returns its id (and key). */
async function newRole(permissions: string[], organizationId = orgId) {
  const id = (
    await one(`insert into roles (organization_id, key, name, permissions) values ($1, gen_random_uuid()::text, $2, $3) returning id`, [
      organizationId,
      `Role ${process.pid}-${++serial}`,
      permissions,
    ])
  ).id as string
  await ctx.admin.query('update roles set key = id::text where id = $1', [id])
  return id
}
async function newGrant(memberId: string) {
  return (
    await one(`insert into role_grants (organization_id, member_id, role, project_id) values ($1, $2, 'member', $3) returning id`, [
      orgId,
      memberId,
      projectId,
    ])
  ).id as string
}
async function newInvitation(organizationId = orgId) {
  return (
    await one(
      `insert into invitations (organization_id, email, role, token_hash, expires_at)
       values ($1, $2, 'member', encode(sha256(gen_random_uuid()::text::bytea), 'hex'), now() + interval '7 days') returning id`,
      [organizationId, `invitee-${process.pid}-${++serial}@example.test`],
    )
  ).id as string
}

/** openapi-fetch's answer as the envelope helpers read it. */
async function answer(call: Promise<{ response: Response; data?: unknown; error?: unknown }>): Promise<ApiResponse> {
  const { response, data, error } = await call
  const body = data ?? error ?? null
  return { status: response.status, headers: response.headers, body, text: JSON.stringify(body) }
}

interface Case {
  name: string
  call: (api: TypedApi) => Promise<{ response: Response; data?: unknown; error?: unknown }>
  schema?: z.ZodTypeAny
  expect: Record<Role, number>
}

const path = <E extends Record<string, string>>(extra: E = {} as E) => ({ params: { path: { orgId, ...extra } } })
/** Who may change members (owner, admin, keeper); the others get 403, the outsider 404. */
const changers = (status: number) => ({ owner: status, admin: status, member: 403, keeper: status, viewer: 403, auditor: 403, outsider: 404 })
/** Who may look at members: member:view (not the built-in member role, not the auditor); the outsider gets 404. */
const lookers = (status: number) => ({ owner: status, admin: status, member: 403, keeper: status, viewer: status, auditor: 403, outsider: 404 })

const CASES: Case[] = [
  {
    name: 'PATCH /roles/{roleId}',
    call: async (api) =>
      api.PATCH('/api/organizations/{orgId}/roles/{roleId}', {
        ...path({ roleId: await newRole(['project:view']) }),
        body: { description: 'Edited' },
      }),
    schema: RoleResource,
    expect: changers(200),
  },
  {
    name: 'DELETE /roles/{roleId}',
    call: async (api) => api.DELETE('/api/organizations/{orgId}/roles/{roleId}', path({ roleId: await newRole(['project:view']) })),
    expect: changers(204),
  },
  {
    name: 'GET /members/{memberId}',
    call: async (api) => api.GET('/api/organizations/{orgId}/members/{memberId}', path({ memberId: await newMember() })),
    schema: MemberResource,
    expect: lookers(200),
  },
  {
    name: 'PATCH /members/{memberId} (suspend)',
    call: async (api) =>
      api.PATCH('/api/organizations/{orgId}/members/{memberId}', { ...path({ memberId: await newMember() }), body: { status: 'suspended' } }),
    schema: MemberResource,
    expect: changers(200),
  },
  {
    name: 'GET /members/{memberId}/grants',
    call: async (api) => {
      const memberId = await newMember()
      await newGrant(memberId)
      return api.GET('/api/organizations/{orgId}/members/{memberId}/grants', path({ memberId }))
    },
    schema: GrantResource,
    expect: lookers(200),
  },
  {
    name: 'POST /members/{memberId}/grants',
    call: async (api) =>
      api.POST('/api/organizations/{orgId}/members/{memberId}/grants', {
        ...path({ memberId: await newMember() }),
        body: { role: 'member', workspaceId },
      }),
    schema: GrantResource,
    expect: changers(201),
  },
  {
    name: 'DELETE /members/{memberId}/grants/{grantId}',
    call: async (api) => {
      const memberId = await newMember()
      return api.DELETE('/api/organizations/{orgId}/members/{memberId}/grants/{grantId}', path({ memberId, grantId: await newGrant(memberId) }))
    },
    expect: changers(204),
  },
  {
    name: 'GET /members/{memberId}/permissions',
    call: async (api) => api.GET('/api/organizations/{orgId}/members/{memberId}/permissions', path({ memberId: await newMember() })),
    schema: PermissionTraceResource,
    expect: lookers(200),
  },
  {
    name: 'POST /transfer-ownership',
    // The owner hands over a throwaway organization of their own; the others try the shared one.
    call: async (api) => {
      if (api === callers.owner) {
        const id = await apiCreateOrg(owner.client, 'Handed over')
        return api.POST('/api/organizations/{orgId}/transfer-ownership', {
          params: { path: { orgId: id } },
          body: { memberId: await newMember('member', id) },
        })
      }
      return api.POST('/api/organizations/{orgId}/transfer-ownership', { ...path(), body: { memberId: await newMember() } })
    },
    schema: MemberResource,
    expect: { owner: 200, admin: 403, member: 403, keeper: 403, viewer: 403, auditor: 403, outsider: 404 },
  },
  {
    name: 'GET /invitations',
    call: async (api) => {
      await newInvitation()
      return api.GET('/api/organizations/{orgId}/invitations', path())
    },
    schema: PendingInvitationResource,
    expect: changers(200),
  },
  {
    name: 'POST /invitations/{invitationId}/resend',
    call: async (api) => api.POST('/api/organizations/{orgId}/invitations/{invitationId}/resend', path({ invitationId: await newInvitation() })),
    schema: InvitationResource,
    expect: changers(200),
  },
  {
    name: 'DELETE /invitations/{invitationId}',
    call: async (api) => api.DELETE('/api/organizations/{orgId}/invitations/{invitationId}', path({ invitationId: await newInvitation() })),
    expect: changers(204),
  },
]

describe.each(CASES)('$name', (c) => {
  test.each(ROLES.map((role) => [role, c.expect[role]] as const))('%s → %i', async (role, status) => {
    const response = await answer(c.call(callers[role]))
    if (status >= 400) {
      expectError(response, status)
      return
    }
    if (status === 204) {
      expect(response.status, response.text).toBe(204)
      return
    }
    const data = expectData(response, status)
    const items = Array.isArray(data) ? data : [data]
    expect(items.length).toBeGreaterThan(0)
    for (const item of items) c.schema?.parse(item)
    if (Array.isArray(data)) expect(response.body.meta).toMatchObject({ page: 1, pageSize: 20 })
  })
})

describe('editing a role needs its permissions before and after', () => {
  test('an admin cannot strip, or even rename, a role holding organization:delete; the owner can', async () => {
    const roleId = await newRole(['organization:view', 'organization:delete'])
    const before = await one('select name, permissions from roles where id = $1', [roleId])
    for (const body of [{ permissions: ['organization:view'] }, { name: 'Renamed' }]) {
      const error = expectError(
        await answer(callers.admin.PATCH('/api/organizations/{orgId}/roles/{roleId}', { ...path({ roleId }), body })),
        403,
        'ESCALATION',
      )
      expect(error.message).toMatch(/organization:delete/)
    }
    expect(await one('select name, permissions from roles where id = $1', [roleId])).toEqual(before)
    const saved = expectData(
      await answer(
        callers.owner.PATCH('/api/organizations/{orgId}/roles/{roleId}', { ...path({ roleId }), body: { permissions: ['organization:view'] } }),
      ),
    )
    expect(saved).toMatchObject({ id: roleId, name: before.name, permissions: ['organization:view'] })
    const audit = await one(`select details from audit_logs where organization_id = $1 and action = 'role.updated' and resource_id = $2`, [
      orgId,
      roleId,
    ])
    expect(audit.details.before).toEqual({ name: before.name, permissions: ['organization:view', 'organization:delete'] })
  })

  test('a keeper (role:manage) cannot add a permission they lack, nor edit a built-in role', async () => {
    const roleId = await newRole(['project:view'])
    expectError(
      await answer(callers.keeper.PATCH('/api/organizations/{orgId}/roles/{roleId}', { ...path({ roleId }), body: { permissions: ['audit:view'] } })),
      403,
      'ESCALATION',
    )
    const member = await one(`select id from roles where organization_id = $1 and key = 'member'`, [orgId])
    expectError(
      await answer(callers.owner.PATCH('/api/organizations/{orgId}/roles/{roleId}', { ...path({ roleId: member.id }), body: { name: 'Mine' } })),
      403,
      'BUILTIN',
    )
  })

  test('bad input is a 422 naming the field, and nothing is written', async () => {
    const roleId = await newRole(['project:view'])
    const before = await one('select name, description, permissions from roles where id = $1', [roleId])
    const cases: [unknown, string][] = [
      [{ name: '' }, 'name'],
      [{ permissions: 'project:view' }, 'permissions'],
      [{ permissions: ['project:fly'] }, 'permissions'],
      [{ permissions: ['project:create'] }, 'permissions'],
      [{ description: 'x'.repeat(501) }, 'description'],
    ]
    for (const [body, field] of cases) {
      const response = await answer(callers.owner.PATCH('/api/organizations/{orgId}/roles/{roleId}', { ...path({ roleId }), body: body as never }))
      const error = expectError(response, 422, 'VALIDATION_FAILED')
      expect(Object.keys(error.details), JSON.stringify(body)).toContain(field)
    }
    expect(await one('select name, description, permissions from roles where id = $1', [roleId])).toEqual(before)
  })
})

describe('deleting a role', () => {
  test('held roles need reassignTo; it moves their holders in the same step, within the caller’s permissions', async () => {
    const roleId = await newRole(['project:view'])
    const holder = await newMember()
    await ctx.admin.query('update organization_members set role = $1 where id = $2', [roleId, holder])
    expectError(await answer(callers.keeper.DELETE('/api/organizations/{orgId}/roles/{roleId}', path({ roleId }))), 409, 'IN_USE')
    const escalation = await answer(
      callers.keeper.DELETE('/api/organizations/{orgId}/roles/{roleId}', { params: { path: { orgId, roleId }, query: { reassignTo: 'admin' } } }),
    )
    expect(Object.keys(expectError(escalation, 403, 'ESCALATION').details)).toEqual(['reassignTo'])
    const unknown = await answer(
      callers.keeper.DELETE('/api/organizations/{orgId}/roles/{roleId}', { params: { path: { orgId, roleId }, query: { reassignTo: 'nobody' } } }),
    )
    expect(Object.keys(expectError(unknown, 422, 'VALIDATION_FAILED').details)).toEqual(['reassignTo'])
    const malformed = await answer(
      callers.keeper.DELETE('/api/organizations/{orgId}/roles/{roleId}', {
        params: { path: { orgId, roleId }, query: { reassignTo: 'x'.repeat(65) } },
      }),
    )
    expect(Object.keys(expectError(malformed, 400, 'INVALID_QUERY').details)).toEqual(['reassignTo'])
    expect(await one('select count(*)::int as n from roles where id = $1', [roleId])).toEqual({ n: 1 })

    const done = await answer(
      callers.keeper.DELETE('/api/organizations/{orgId}/roles/{roleId}', { params: { path: { orgId, roleId }, query: { reassignTo: 'member' } } }),
    )
    expect(done.status).toBe(204)
    expect(await one('select role from organization_members where id = $1', [holder])).toEqual({ role: 'member' })
    const audit = await one(`select details, result from audit_logs where organization_id = $1 and action = 'role.deleted' and resource_id = $2`, [
      orgId,
      roleId,
    ])
    expect(audit).toMatchObject({ result: 'success', details: { reassignTo: 'member' } })
  })
})

describe('members', () => {
  test('suspend and reactivate: the same rules as the page (not oneself, not above the caller, a valid status)', async () => {
    const target = await newMember()
    const patch = (api: TypedApi, memberId: string, status: string) =>
      answer(api.PATCH('/api/organizations/{orgId}/members/{memberId}', { ...path({ memberId }), body: { status } as never }))
    expect(expectData(await patch(callers.keeper, target, 'suspended')).status).toBe('suspended')
    expect(expectData(await patch(callers.keeper, target, 'active')).status).toBe('active')
    const self = await one('select id from organization_members where organization_id = $1 and role = $2', [orgId, 'keeper'])
    expectError(await patch(callers.keeper, self.id, 'suspended'), 403, 'SELF')
    const anAdmin = await newMember('admin')
    expectError(await patch(callers.keeper, anAdmin, 'suspended'), 403, 'ESCALATION')
    const bad = expectError(await patch(callers.owner, target, 'banished'), 422, 'VALIDATION_FAILED')
    expect(Object.keys(bad.details)).toEqual(['status'])
    const owners = await one(`select id from organization_members where organization_id = $1 and role = 'owner'`, [orgId])
    expectError(await patch(callers.admin, owners.id, 'suspended'), 403, 'ESCALATION')
    const actions = await ctx.admin.query(`select action from audit_logs where organization_id = $1 and resource_id = $2 order by created_at`, [
      orgId,
      target,
    ])
    expect(actions.rows.map((r) => r.action)).toEqual(['member.suspended', 'member.reactivated'])
    expect(await one('select status from organization_members where id = $1', [anAdmin])).toEqual({ status: 'active' })
  })

  test('grants: bad input is a 422 with field details and writes nothing; other tenants’ resources are not grantable', async () => {
    const target = await newMember()
    const grants = async () => (await one('select count(*)::int as n from role_grants where member_id = $1', [target])).n
    const post = (body: unknown) =>
      answer(callers.owner.POST('/api/organizations/{orgId}/members/{memberId}/grants', { ...path({ memberId: target }), body: body as never }))
    const cases: [unknown, string][] = [
      [{ role: 'member' }, 'workspaceId'],
      [{ role: 'member', workspaceId, projectId }, 'workspaceId'],
      [{ role: 'member', workspaceId: 'nope' }, 'workspaceId'],
      [{ workspaceId }, 'role'],
      [{ role: 'nobody', workspaceId }, 'role'],
      [{ role: 'member', workspaceId: otherWorkspaceId }, 'workspaceId'],
    ]
    for (const [body, field] of cases) {
      const error = expectError(await post(body), 422, 'VALIDATION_FAILED')
      expect(Object.keys(error.details), JSON.stringify(body)).toContain(field)
    }
    expect(await grants()).toBe(0)
    expectError(
      await answer(
        callers.keeper.POST('/api/organizations/{orgId}/members/{memberId}/grants', {
          ...path({ memberId: target }),
          body: { role: 'admin', projectId },
        }),
      ),
      403,
      'ESCALATION',
    )
    expect(await grants()).toBe(0)

    const created = await answer(
      callers.keeper.POST('/api/organizations/{orgId}/members/{memberId}/grants', {
        ...path({ memberId: target }),
        body: { role: 'member', projectId },
      }),
    )
    const grant = expectData(created, 201)
    expect(grant).toMatchObject({ role: 'member', projectId, workspaceId: null, resourceName: 'Apollo' })
    expect(created.headers.get('location')).toBe(`/api/organizations/${orgId}/members/${target}/grants/${grant.id}`)
    const trace = expectData(
      await answer(callers.keeper.GET('/api/organizations/{orgId}/members/{memberId}/permissions', path({ memberId: target }))),
    )
    expect(trace.permissions.find((p: { permission: string }) => p.permission === 'project:create').sources).toEqual([
      { role: 'member', roleName: 'Member', scope: 'organization', workspaceId: null, projectId: null, resourceName: null },
      { role: 'member', roleName: 'Member', scope: 'project', workspaceId: null, projectId, resourceName: 'Apollo' },
    ])
    expect(
      (
        await answer(
          callers.keeper.DELETE('/api/organizations/{orgId}/members/{memberId}/grants/{grantId}', path({ memberId: target, grantId: grant.id })),
        )
      ).status,
    ).toBe(204)
    const again = await answer(
      callers.keeper.DELETE('/api/organizations/{orgId}/members/{memberId}/grants/{grantId}', path({ memberId: target, grantId: grant.id })),
    )
    expectError(again, 404, 'NOT_FOUND')
    const actions = await ctx.admin.query(`select action from audit_logs where organization_id = $1 and resource_id = $2 order by created_at`, [
      orgId,
      target,
    ])
    expect(actions.rows.map((r) => r.action)).toEqual(['member.grant_added', 'member.grant_removed'])
  })

  test('other tenants’ members, grants, roles and invitations are 404, never 403', async () => {
    const theirMember = await newMember('member', otherOrgId)
    const theirRole = await newRole(['project:view'], otherOrgId)
    const theirInvitation = await newInvitation(otherOrgId)
    const api = callers.owner
    const calls = [
      api.GET('/api/organizations/{orgId}/members/{memberId}', path({ memberId: theirMember })),
      api.PATCH('/api/organizations/{orgId}/members/{memberId}', { ...path({ memberId: theirMember }), body: { status: 'suspended' } }),
      api.GET('/api/organizations/{orgId}/members/{memberId}/grants', path({ memberId: theirMember })),
      api.POST('/api/organizations/{orgId}/members/{memberId}/grants', { ...path({ memberId: theirMember }), body: { role: 'member', workspaceId } }),
      api.GET('/api/organizations/{orgId}/members/{memberId}/permissions', path({ memberId: theirMember })),
      api.PATCH('/api/organizations/{orgId}/roles/{roleId}', { ...path({ roleId: theirRole }), body: { name: 'Mine now' } }),
      api.DELETE('/api/organizations/{orgId}/roles/{roleId}', path({ roleId: theirRole })),
      api.POST('/api/organizations/{orgId}/invitations/{invitationId}/resend', path({ invitationId: theirInvitation })),
      api.DELETE('/api/organizations/{orgId}/invitations/{invitationId}', path({ invitationId: theirInvitation })),
      api.POST('/api/organizations/{orgId}/transfer-ownership', { ...path(), body: { memberId: theirMember } }),
    ]
    for (const call of calls) expectError(await answer(call), 404, 'NOT_FOUND')
    expect(await one('select status from organization_members where id = $1', [theirMember])).toEqual({ status: 'active' })
    expect(await one('select revoked_at from invitations where id = $1', [theirInvitation])).toEqual({ revoked_at: null })
    expect(await one('select count(*)::int as n from roles where id = $1', [theirRole])).toEqual({ n: 1 })
  })
})

describe('ownership transfer', () => {
  test('needs an owner’s unlimited credential; bad input is a 422; the heir must be another active member', async () => {
    const id = await apiCreateOrg(owner.client, 'Transfer API Org')
    const heir = await newMember('member', id)
    const transfer = (api: TypedApi, body: unknown) =>
      answer(api.POST('/api/organizations/{orgId}/transfer-ownership', { params: { path: { orgId: id } }, body: body as never }))
    const scoped = await createApiToken(
      { userId: owner.user.id },
      { name: 'limited', expiresInDays: null, organizationId: id, permissions: ['member:view', 'member:update'] },
    )
    expectError(await transfer(typedApi(ctx.origin, scoped.token), { memberId: heir }), 403, 'FORBIDDEN')
    expect(Object.keys(expectError(await transfer(callers.owner, { memberId: 'nope' }), 422, 'VALIDATION_FAILED').details)).toEqual(['memberId'])
    expect(Object.keys(expectError(await transfer(callers.owner, {}), 422, 'VALIDATION_FAILED').details)).toEqual(['memberId'])
    const self = await one(`select id from organization_members where organization_id = $1 and role = 'owner'`, [id])
    expectError(await transfer(callers.owner, { memberId: self.id }), 409, 'CONFLICT')
    expect(await one('select role from organization_members where id = $1', [heir])).toEqual({ role: 'member' })

    const heirData = expectData(await transfer(callers.owner, { memberId: heir }))
    expect(heirData).toMatchObject({ id: heir, role: 'owner' })
    const readBack = callers.owner.GET('/api/organizations/{orgId}/members/{memberId}', { params: { path: { orgId: id, memberId: heir } } })
    expect(heirData).toEqual(expectData(await answer(readBack)))
    expect(await one('select role from organization_members where id = $1', [self.id])).toEqual({ role: 'admin' })
    expect(
      await one(`select count(*)::int as n from audit_logs where organization_id = $1 and action = 'organization.ownership_transferred'`, [id]),
    ).toEqual({ n: 1 })
  })
})

describe('invitations', () => {
  test('list, resend and revoke pending invitations; a revoked one is gone (404 the second time)', async () => {
    const invitationId = await newInvitation()
    const listed = expectData(
      await answer(callers.keeper.GET('/api/organizations/{orgId}/invitations', { params: { path: { orgId }, query: { pageSize: 100 } } })),
    )
    expect(listed.map((i: { id: string }) => i.id)).toContain(invitationId)
    const oldHash = (await one('select token_hash from invitations where id = $1', [invitationId])).token_hash
    const resent = expectData(
      await answer(callers.keeper.POST('/api/organizations/{orgId}/invitations/{invitationId}/resend', path({ invitationId }))),
    )
    expect(resent).toMatchObject({ id: invitationId, role: 'member', mail: 'sent' })
    expect((await one('select token_hash from invitations where id = $1', [invitationId])).token_hash).not.toBe(oldHash)
    expect((await answer(callers.keeper.DELETE('/api/organizations/{orgId}/invitations/{invitationId}', path({ invitationId })))).status).toBe(204)
    expectError(
      await answer(callers.keeper.DELETE('/api/organizations/{orgId}/invitations/{invitationId}', path({ invitationId }))),
      404,
      'NOT_FOUND',
    )
    expectError(
      await answer(callers.keeper.POST('/api/organizations/{orgId}/invitations/{invitationId}/resend', path({ invitationId }))),
      404,
      'NOT_FOUND',
    )
    const actions = await ctx.admin.query(`select action from audit_logs where organization_id = $1 and resource_id = $2 order by created_at`, [
      orgId,
      invitationId,
    ])
    expect(actions.rows.map((r) => r.action)).toEqual(['invitation.resent', 'invitation.revoked'])
  })

  test('a malformed page is a 400 naming it', async () => {
    const error = expectError(
      await answer(callers.owner.GET('/api/organizations/{orgId}/invitations', { params: { path: { orgId }, query: { pageSize: 1000 } } })),
      400,
    )
    expect(Object.keys(error.details)).toEqual(['pageSize'])
  })
})
