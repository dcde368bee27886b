import fc from 'fast-check'
import { afterAll, describe, expect, test } from 'vitest'
import { closePool, sql, withTenant } from '~/models/db.server'
import { BUILTIN_ROLES, CATALOG, effectivePermissions, permits } from './permissions'

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

describe('the SQL auth.permits() agrees with the TypeScript module', () => {
  afterAll(() => closePool())

  // Catalog permissions plus look-alikes (unknown resources and actions) and '*'.
  const permission = fc.oneof(
    fc.constantFrom(...CATALOG, '*'),
    fc
      .tuple(fc.constantFrom('workspace', 'project', 'member', 'widget'), fc.constantFrom('view', 'update', 'delete', 'manage', 'create', 'own'))
      .map(([r, a]) => `${r}:${a}`),
  )
  const testCase = fc.record({ held: fc.uniqueArray(permission, { maxLength: 6 }), required: permission })

  test('on random held sets and required permissions', async () => {
    const cases = fc.sample(testCase, { numRuns: 2000, seed: 20261127 })
    // Random roles, checked in one round trip: each row is one case.
    const fromSql = await withTenant({ userId: '00000000-0000-0000-0000-000000000000' }, (tx) =>
      tx.manyFirst(sql.unsafe`
        select auth.permits(array(select jsonb_array_elements_text(c -> 'held')), c ->> 'required')
        from jsonb_array_elements(${sql.jsonb(cases)}) with ordinality as t(c, n) order by n`),
    )
    const mismatches = cases.filter((c, i) => fromSql[i] !== permits(c.held, c.required))
    expect(mismatches).toEqual([])
    expect(fromSql.filter(Boolean).length).toBeGreaterThan(100)
  })
})
