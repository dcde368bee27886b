import { describe, expect, test } from 'vitest'
import { BUILTIN_ROLES, breadth, CATALOG, decide, effectivePermissions, permits, permitsAt, tracePermissions, viewOnly } from './permissions'

describe('permits', () => {
  test('inheritance runs downward: delete ⇒ update ⇒ view, manage ⇒ view', () => {
    expect(permits(['workspace:delete'], 'workspace:update')).toBe(true)
    expect(permits(['workspace:delete'], 'workspace:view')).toBe(true)
    expect(permits(['project:update'], 'project:view')).toBe(true)
    expect(permits(['organization:manage'], 'organization:view')).toBe(true)
  })

  test('never upward: update does not grant delete, view does not grant update', () => {
    expect(permits(['workspace:update'], 'workspace:delete')).toBe(false)
    expect(permits(['project:view'], 'project:update')).toBe(false)
    expect(permits(['organization:view'], 'organization:manage')).toBe(false)
  })

  test('never sideways across resources or actions', () => {
    expect(permits(['workspace:delete'], 'project:view')).toBe(false)
    expect(permits(['project:create'], 'project:view')).toBe(false)
  })

  test('* holds everything', () => {
    for (const p of CATALOG) expect(permits(['*'], p)).toBe(true)
  })

  test('built-in roles: admin holds all but deleting the organization; member views and creates projects', () => {
    const role = (key: string) => BUILTIN_ROLES.find((r) => r.key === key)!.permissions
    expect(effectivePermissions(role('admin'))).toEqual(CATALOG.filter((p) => p !== 'organization:delete'))
    expect(effectivePermissions(role('member')).sort()).toEqual(['organization:view', 'project:create', 'project:view', 'workspace:view'].sort())
  })
})

describe('tracePermissions', () => {
  const ws = '00000000-0000-4000-8000-000000000001'
  const project = '00000000-0000-4000-8000-000000000002'
  const trace = tracePermissions({
    role: 'member',
    roleName: 'Member',
    rolePermissions: ['organization:view'],
    grants: [
      { role: 'admin', roleName: 'Admin', permissions: ['*'], workspaceId: null, projectId: project, resourceName: 'Apollo' },
      {
        role: 'viewer',
        roleName: 'Viewer',
        permissions: ['workspace:view', 'member:view'],
        workspaceId: ws,
        projectId: null,
        resourceName: 'Design',
      },
    ],
  })
  const from = (permission: string) => trace.find((t) => t.permission === permission)?.sources.map((s) => s.roleName) ?? []

  test('a grant gives only what it reaches: its resource and what is inside it, as permitsAt() applies it', () => {
    expect(from('organization:view')).toEqual(['Member'])
    expect(from('project:delete')).toEqual(['Admin'])
    expect(from('workspace:view')).toEqual(['Viewer'])
    // An admin role on one project manages that project, not the organization or its members.
    expect(from('organization:manage')).toEqual([])
    expect(from('member:view')).toEqual([])
    expect(permitsAt(['organization:view'], [{ workspaceId: null, projectId: project, permissions: ['*'] }], 'organization:manage')).toBe(false)
  })
})

describe('suspension and breadth', () => {
  test('a suspended organization leaves its members their view permissions only', () => {
    expect(viewOnly(['*']).every((p) => p.endsWith(':view'))).toBe(true)
    expect(viewOnly(['workspace:delete', 'member:invite']).sort()).toEqual(['workspace:view'])
  })

  test('breadth counts what a role amounts to, implications included', () => {
    expect(breadth(['workspace:delete'])).toBe(3)
    expect(breadth(['*'])).toBe(CATALOG.length)
    expect(breadth([])).toBe(0)
  })
})

describe('decide (the permission trace)', () => {
  const grants = [{ workspaceId: 'ws-1', projectId: null, permissions: ['project:create'] }]
  test('names the role, the grant, or the token scope that decided, and agrees with permitsAt', () => {
    expect(decide(['workspace:view'], grants, 'workspace:view')).toEqual({ allowed: true, source: 'role' })
    expect(decide(['workspace:view'], grants, 'project:create', { workspaceId: 'ws-1' })).toEqual({
      allowed: true,
      source: 'grant',
      grant: { workspaceId: 'ws-1', projectId: null },
    })
    expect(decide(['workspace:view'], grants, 'project:create', { workspaceId: 'ws-2' })).toEqual({ allowed: false, source: 'none' })
    expect(decide([], [], 'workspace:create', {}, ['workspace:view'])).toEqual({ allowed: false, source: 'token-scope' })
    for (const permission of CATALOG) {
      for (const scope of [{}, { workspaceId: 'ws-1' }]) {
        expect(decide(['workspace:update'], grants, permission, scope).allowed).toBe(permitsAt(['workspace:update'], grants, permission, scope))
      }
    }
  })
})
