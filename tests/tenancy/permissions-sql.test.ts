/** The permission rule's SQL twin, auth.permits(), held equal to the TypeScript one (lib/permissions.ts). */
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { CATALOG, permits } from '~/lib/permissions'
import { sql, withTenant } from '~/models/db.server'
import { setupDatabase } from '../utils/fixture'

setupDatabase()

describe('the SQL auth.permits() agrees with the TypeScript module', () => {
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
