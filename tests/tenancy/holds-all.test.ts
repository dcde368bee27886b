/**
 * The "holds all" rule, the guard against escalation: nobody hands out, edits
 * or takes away more than they hold. The SQL twin auth.holds_all(org,
 * permissions) — which policies on roles, memberships, grants and
 * invitations call — must agree with holdsAll(held, required) of
 * app/lib/permissions.ts. A member is given a role holding `held` (as a
 * superuser), then asks holds_all about many `required` sets as themselves.
 */
import fc from 'fast-check'
import { expect, test } from 'vitest'
import { CATALOG, holdsAll } from '~/lib/permissions'
import { sql, withTenant } from '~/models/db.server'
import { uniqueEmail } from '../utils/app'
import { setupDatabase } from '../utils/fixture'
import { createTenant } from '../utils/tenants'

const db = setupDatabase()

/**
 * Held sets, each with its own required sets. Each held set is one member's
 * role, asked about all its required sets in one query; a few members ask at
 * once (holds_all costs about a millisecond a call, planning included).
 */
const HELD_SETS = 160
const REQUIRED_PER_HELD = 20
const AT_ONCE = 4

// Permissions as they may be stored or asked for: the catalog, '*', and look-alikes
// (unknown resources and actions, wrong case, stray colons and spaces).
const lookAlike = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('workspace', 'project', 'member', 'organization', 'widget', '*'),
      fc.constantFrom('view', 'update', 'delete', 'manage', 'create', 'own', '*'),
    )
    .map(([resource, action]) => `${resource}:${action}`),
  fc.constantFrom(
    '',
    ':',
    '*:',
    'workspace',
    'workspace:',
    ':view',
    'workspace:view:extra',
    'Workspace:view',
    'workspace:VIEW',
    ' workspace:view',
    'workspace:view ',
  ),
)
const permission = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...CATALOG) },
  { weight: 1, arbitrary: fc.constant('*') },
  { weight: 2, arbitrary: lookAlike },
)

/** What inheritance may give from a held permission (delete ⇒ update ⇒ view, manage ⇒ view), so that required sets are often held. */
const below = (held: readonly string[]) =>
  held.flatMap((p) => {
    const [resource, action] = p.split(':')
    return action === 'delete' ? [`${resource}:update`, `${resource}:view`] : action === 'update' || action === 'manage' ? [`${resource}:view`] : []
  })

const testCase = fc.uniqueArray(permission, { maxLength: 6 }).chain((held) => {
  const likely = held.length ? fc.oneof(permission, fc.constantFrom(...held, ...below(held))) : permission
  return fc.record({
    held: fc.constant(held),
    required: fc.array(fc.array(likely, { maxLength: 4 }), { minLength: REQUIRED_PER_HELD, maxLength: REQUIRED_PER_HELD }),
  })
})

test('auth.holds_all() agrees with holdsAll() on random held and required sets', async () => {
  const cases = fc.sample(testCase, { numRuns: HELD_SETS, seed: 20261207 })
  const { org, workspaceId } = await createTenant('Holder')
  const members = await membersHolding(
    org.id,
    workspaceId,
    cases.map((c) => c.held),
  )

  const mismatches: { held: string[]; required: string[]; sql: boolean; ts: boolean }[] = []
  let holding = 0
  const ask = async (i: number) => {
    const { held, required } = cases[i]!
    // All of this held set's required sets in one query, as the member who holds it.
    const fromSql = await withTenant({ userId: members[i]!, organizationId: org.id }, (tx) =>
      tx.manyFirst(sql.unsafe`
        select auth.holds_all(${org.id}, array(select jsonb_array_elements_text(r)))
        from jsonb_array_elements(${sql.jsonb(required)}) with ordinality as t(r, n) order by n`),
    )
    required.forEach((r, j) => {
      const ts = holdsAll(held, r)
      if (fromSql[j] !== ts) mismatches.push({ held, required: r, sql: fromSql[j] as boolean, ts })
      if (ts) holding++
    })
  }
  for (let i = 0; i < cases.length; i += AT_ONCE) await Promise.all(cases.slice(i, i + AT_ONCE).map((_, k) => ask(i + k)))

  expect(mismatches).toEqual([])
  // Both answers are common enough for the agreement to mean something.
  const total = HELD_SETS * REQUIRED_PER_HELD
  expect(holding).toBeGreaterThan(total / 5)
  expect(total - holding).toBeGreaterThan(total / 5)
})

/**
 * One member per held set, each with a role holding exactly that set, made by
 * a superuser (the policies would refuse most of these roles to anyone). Each
 * also gets the owner role on one workspace: holds_all looks at the
 * organization role only, so that grant must change nothing.
 */
async function membersHolding(orgId: string, workspaceId: string, heldSets: string[][]): Promise<string[]> {
  const admin = db.admin
  const tag = uniqueEmail('held').split('@')[0]
  await admin.query(
    `insert into roles (organization_id, key, name, permissions)
     select $1, 'held_' || n, 'Held set ' || n, array(select jsonb_array_elements_text(held))
     from jsonb_array_elements($2::jsonb) with ordinality as t(held, n)`,
    [orgId, JSON.stringify(heldSets)],
  )
  const { rows } = await admin.query(
    `insert into auth.users (email, name)
     select $1 || '-' || n || '@example.test', 'Held Member ' || n from generate_series(1, $2::int) as n
     returning id, email`,
    [tag, heldSets.length],
  )
  const users = rows.map((r) => ({ id: r.id as string, n: Number((r.email as string).split('@')[0]!.split('-').pop()) }))
  await admin.query(
    `insert into organization_members (organization_id, user_id, role, status, joined_at)
     select $1, u.id, 'held_' || u.n, 'active', now() from jsonb_to_recordset($2::jsonb) as u(id uuid, n int)`,
    [orgId, JSON.stringify(users)],
  )
  await admin.query(
    `insert into role_grants (organization_id, member_id, role, workspace_id)
     select organization_id, id, 'owner', $2 from organization_members where organization_id = $1 and role like 'held\\_%'`,
    [orgId, workspaceId],
  )
  const byN = new Map(users.map((u) => [u.n, u.id]))
  return heldSets.map((_, i) => byN.get(i + 1)!)
}
