import { describe, expect, test } from 'vitest'
import { BUILTIN_ROLES, CATALOG, decide, effectivePermissions, permits, permitsAt } from './permissions'

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
