/**
 * Tenant isolation at the database level: a member of organization A, with
 * the app's own role and claims, tries every command on organization B's rows
 * by direct SQL. Route code is not involved; only the policies stand between.
 */
import { randomBytes } from 'node:crypto'
import { beforeAll, describe, expect, test } from 'vitest'
import { BUILTIN_ROLES } from '~/lib/permissions'
import { getPool, sql, withTenant, type Actor, type Tx } from '~/models/db.server'
import { setupDatabase } from '../utils/fixture'
import { TENANT_TABLES, type TenantTable } from '../utils/tenant-tables'
import { addMember, createTenant } from '../utils/tenants'

const db = setupDatabase()
let a: Awaited<ReturnType<typeof createTenant>>
let b: Awaited<ReturnType<typeof createTenant>>
/** An id an attacker might have learned (from a link, a log): knowing it must not help. */
let bOwnerMemberId: string

beforeAll(async () => {
  a = await createTenant('Alpha')
  b = await createTenant('Bravo')
  await db.admin.query(`insert into security_events (organization_id, type, severity) values ($1, 'XSS_ATTEMPT', 'HIGH')`, [b.org.id])
  bOwnerMemberId = (await db.admin.query('select id from organization_members where organization_id = $1', [b.org.id])).rows[0].id
  await db.admin.query(
    `insert into role_grants (organization_id, member_id, role, workspace_id)
     select organization_id, id, 'admin', $2 from organization_members where organization_id = $1`,
    [b.org.id, b.workspaceId],
  )
  await db.admin.query(
    `insert into invitations (organization_id, email, role, token_hash, invited_by, expires_at)
     values ($1, 'guest@example.test', 'member', repeat('a', 64), $2, now() + interval '1 day')`,
    [b.org.id, b.user.id],
  )
})

const TABLES = TENANT_TABLES
type Table = TenantTable
/** Tables no role the app can become holds any privilege on (only definer functions reach them): even reading is refused. */
const UNGRANTED: readonly Table[] = ['audit_chain_heads', 'audit_checkpoints']
const orgColumn = (t: Table) => (t === 'organizations' ? 'id' : 'organization_id')

/** Everything organization B owns, as a superuser sees it. */
async function snapshotOfB() {
  const snapshot: Record<string, unknown[]> = {}
  for (const table of TABLES) {
    const { rows } = await db.admin.query(`select * from ${table} where ${orgColumn(table)} = $1 order by 1, 2`, [b.org.id])
    snapshot[table] = rows
  }
  return snapshot
}

/** A row of each table that belongs to B, as an attacker in A would write it. */
function insertIntoB(table: Table) {
  const org = b.org.id
  switch (table) {
    case 'organizations':
      return sql.unsafe`insert into organizations (id, name, slug) values (${org}, 'Hijack', 'hijack')`
    case 'roles':
      return sql.unsafe`insert into roles (organization_id, key, name, permissions) values (${org}, 'pwn', 'Pwn', '{*}')`
    case 'organization_members':
      return sql.unsafe`insert into organization_members (organization_id, user_id, role) values (${org}, ${a.user.id}, 'owner')`
    case 'workspaces':
      return sql.unsafe`insert into workspaces (organization_id, name, slug) values (${org}, 'Hijack', 'hijack')`
    case 'projects':
      return sql.unsafe`insert into projects (organization_id, workspace_id, name, slug) values (${org}, ${b.workspaceId}, 'Hijack', 'hijack')`
    case 'role_grants':
      return sql.unsafe`insert into role_grants (organization_id, member_id, role, workspace_id)
        values (${org}, ${bOwnerMemberId}, 'owner', ${b.workspaceId})`
    case 'invitations':
      return sql.unsafe`insert into invitations (organization_id, email, role, token_hash, invited_by, expires_at)
        values (${org}, 'spy@example.test', 'owner', ${'b'.repeat(64)}, ${a.user.id}, now() + interval '1 day')`
    case 'audit_logs':
      return sql.unsafe`insert into audit_logs (organization_id, user_id, action, resource_type, result) values (${org}, ${a.user.id}, 'forged', 'x', 'success')`
    case 'audit_chain_heads':
      return sql.unsafe`insert into audit_chain_heads (organization_id, chain_position, hash) values (${org}, 0, ${sql.binary(Buffer.alloc(32))})`
    case 'audit_checkpoints':
      return sql.unsafe`insert into audit_checkpoints (organization_id, chain_position, hash, pruned_rows, key_id, signature)
        values (${org}, 1, ${sql.binary(Buffer.alloc(32))}, 1, 'forged', ${sql.binary(Buffer.alloc(64))})`
    case 'security_events':
      return sql.unsafe`insert into security_events (organization_id, type, severity) values (${org}, 'FORGED', 'LOW')`
  }
}

const id = (name: string) => sql.identifier(name.split('.'))
const countIn = (table: Table, org: string) => sql.unsafe`select count(*)::int as n from ${id(table)} where ${id(orgColumn(table))} = ${org}`
const selectB = (table: Table) => countIn(table, b.org.id)
const updateB = (table: Table) =>
  sql.unsafe`update ${id(table)} set ${id(orgColumn(table))} = ${id(orgColumn(table))} where ${id(orgColumn(table))} = ${b.org.id}`
const deleteB = (table: Table) => sql.unsafe`delete from ${id(table)} where ${id(orgColumn(table))} = ${b.org.id}`

/** Runs `fn` as A's owner; a refused statement rolls back and reports how. */
async function asA<T>(fn: (tx: Tx) => Promise<T>): Promise<{ value?: T; error?: string }> {
  try {
    return { value: await withTenant(a.actor, fn) }
  } catch (error) {
    return { error: (error as Error).message }
  }
}

describe.each(TABLES)('%s: a member of A against B', (table) => {
  test('cannot read B', async () => {
    const result = await asA((tx) => tx.oneFirst(selectB(table)))
    if (UNGRANTED.includes(table)) return expect(result.error).toMatch(/permission denied/)
    expect(result.error).toBeUndefined()
    expect(result.value).toBe(0)
  })

  test('cannot insert into B', async () => {
    const before = await snapshotOfB()
    const result = await asA((tx) => tx.query(insertIntoB(table)))
    expect(result.error).toMatch(/row-level security|permission denied/)
    expect(await snapshotOfB()).toEqual(before)
  })

  test('cannot update B', async () => {
    const before = await snapshotOfB()
    const result = await asA((tx) => tx.query(updateB(table)))
    if (result.error) expect(result.error).toMatch(/permission denied/)
    else expect(result.value!.rowCount).toBe(0)
    expect(await snapshotOfB()).toEqual(before)
  })

  test('cannot delete from B', async () => {
    const before = await snapshotOfB()
    const result = await asA((tx) => tx.query(deleteB(table)))
    if (result.error) expect(result.error).toMatch(/permission denied/)
    else expect(result.value!.rowCount).toBe(0)
    expect(await snapshotOfB()).toEqual(before)
  })
})

describe('the same statements work on the member’s own organization (the policies are not simply closed)', () => {
  test('A reads its own rows in every table it may read', async () => {
    for (const table of ['organizations', 'roles', 'organization_members', 'workspaces', 'projects', 'audit_logs'] as const) {
      const n = await withTenant(a.actor, (tx) => tx.oneFirst(countIn(table, a.org.id)))
      expect(n, table).toBeGreaterThan(0)
    }
  })

  test('A inserts, updates and deletes its own workspace', async () => {
    await withTenant(a.actor, async (tx) => {
      await tx.query(sql.unsafe`insert into workspaces (organization_id, name, slug) values (${a.org.id}, 'Own', 'own')`)
      const updated = await tx.query(sql.unsafe`update workspaces set name = 'Own 2' where organization_id = ${a.org.id} and slug = 'own'`)
      expect(updated.rowCount).toBe(1)
      const deleted = await tx.query(sql.unsafe`delete from workspaces where organization_id = ${a.org.id} and slug = 'own'`)
      expect(deleted.rowCount).toBe(1)
    })
  })
})

describe('without a tenant context', () => {
  test('the app role with no claims sees nothing and cannot write', async () => {
    const pool = await getPool()
    const seen = await pool.transaction(async (tx) => {
      await tx.query(sql.unsafe`select set_config('role', 'authenticated', true)`)
      return tx.oneFirst(
        sql.unsafe`select (select count(*) from organizations) + (select count(*) from workspaces) + (select count(*) from projects) + (select count(*) from organization_members)`,
      )
    })
    expect(seen).toBe(0)
    await expect(
      pool.transaction(async (tx) => {
        await tx.query(sql.unsafe`select set_config('role', 'authenticated', true)`)
        await tx.query(sql.unsafe`insert into workspaces (organization_id, name, slug) values (${b.org.id}, 'Anon', 'anon')`)
      }),
    ).rejects.toThrow(/row-level security/)
  })

  test('a query outside withTenant() fails instead of leaking', async () => {
    const pool = await getPool()
    for (const table of [...TABLES, 'auth.users', 'auth.sessions', 'auth.passwords']) {
      await expect(pool.query(sql.unsafe`select count(*) from ${id(table)}`), table).rejects.toThrow(/permission denied/)
    }
  })

  test('claims naming another organization or role do not widen access', async () => {
    const forged = await withTenant({ userId: a.user.id, organizationId: b.org.id, role: 'owner' }, (tx) => tx.oneFirst(selectB('projects')))
    expect(forged).toBe(0)
  })
})

describe('escalation inside one organization', () => {
  test('a plain member cannot promote themselves or add roles', async () => {
    const intruder = await createTenant('Member')
    await db.admin.query(
      `insert into organization_members (organization_id, user_id, role, status, joined_at) values ($1, $2, 'member', 'active', now())`,
      [b.org.id, intruder.user.id],
    )
    const actor = { userId: intruder.user.id, organizationId: b.org.id }
    const promoted = await withTenant(actor, (tx) =>
      tx.query(sql.unsafe`update organization_members set role = 'owner' where organization_id = ${b.org.id} and user_id = ${intruder.user.id}`),
    )
    expect(promoted.rowCount).toBe(0)
    await expect(
      withTenant(actor, (tx) =>
        tx.query(sql.unsafe`insert into roles (organization_id, key, name, permissions) values (${b.org.id}, 'x', 'X', '{*}')`),
      ),
    ).rejects.toThrow(/row-level security/)
    await expect(
      withTenant(actor, (tx) => tx.query(sql.unsafe`update roles set permissions = '{*}' where organization_id = ${b.org.id} and key = 'member'`)),
    ).resolves.toMatchObject({ rowCount: 0 })
    // Members may read the project list but not delete from it.
    const deleted = await withTenant(actor, (tx) => tx.query(sql.unsafe`delete from projects where organization_id = ${b.org.id}`))
    expect(deleted.rowCount).toBe(0)
  })

  test('a suspended member loses access on the next transaction', async () => {
    const suspended = await createTenant('Suspended')
    await db.admin.query(
      `insert into organization_members (organization_id, user_id, role, status, joined_at) values ($1, $2, 'admin', 'active', now())`,
      [b.org.id, suspended.user.id],
    )
    const actor = { userId: suspended.user.id, organizationId: b.org.id }
    expect(await withTenant(actor, (tx) => tx.oneFirst(selectB('projects')))).toBeGreaterThan(0)
    await db.admin.query(`update organization_members set status = 'suspended' where organization_id = $1 and user_id = $2`, [
      b.org.id,
      suspended.user.id,
    ])
    expect(await withTenant(actor, (tx) => tx.oneFirst(selectB('projects')))).toBe(0)
  })

  test('a role manager cannot delete a role holding permissions they lack', async () => {
    const manager = await createTenant('Role manager')
    await db.admin.query(
      `insert into roles (organization_id, key, name, permissions)
       values ($1, 'role-manager', 'Role manager', '{role:manage}'), ($1, 'deleter', 'Deleter', '{organization:delete}'),
              ($1, 'role-viewer', 'Role viewer', '{role:view}')`,
      [b.org.id],
    )
    await addMember(db.admin, b.org.id, manager.user.id, 'role-manager')
    const actor = { userId: manager.user.id, organizationId: b.org.id }
    const deleteRole = (key: string) =>
      withTenant(actor, (tx) => tx.query(sql.unsafe`delete from roles where organization_id = ${b.org.id} and key = ${key}`))
    expect((await deleteRole('deleter')).rowCount).toBe(0)
    const { rows } = await db.admin.query(`select key from roles where organization_id = $1 and key = 'deleter'`, [b.org.id])
    expect(rows).toHaveLength(1)
    // A role within the manager's own permissions (role:manage implies role:view) goes.
    expect((await deleteRole('role-viewer')).rowCount).toBe(1)
  })
})

describe('deleting an organization', () => {
  test('delete_organization() holds the delete policy’s rule: another organization’s owner, a member, a token without the permission delete nothing', async () => {
    const doomed = await createTenant('Doomed')
    const member = await createTenant('Doomed member')
    await addMember(db.admin, doomed.org.id, member.user.id, 'member')
    const remove = (actor: Actor) => withTenant(actor, (tx) => tx.oneFirst(sql.unsafe`select delete_organization(${doomed.org.id})`))
    const left = async () => (await db.admin.query('select count(*)::int as n from workspaces where organization_id = $1', [doomed.org.id])).rows[0].n
    expect(await remove(a.actor)).toBe(false)
    expect(await remove({ userId: member.user.id, organizationId: doomed.org.id })).toBe(false)
    expect(await remove({ ...doomed.actor, token: { organizationId: doomed.org.id, permissions: ['organization:manage'] } })).toBe(false)
    expect(await left()).toBe(1)
    expect(await remove(doomed.actor)).toBe(true)
    expect(await left()).toBe(0)
  })
})

describe('role administration', () => {
  test('a role manager cannot edit a role holding permissions they lack, not even to strip them', async () => {
    const manager = await createTenant('Role editor')
    await db.admin.query(
      `insert into roles (organization_id, key, name, permissions)
       values ($1, 'role-editor', 'Role editor', '{role:manage}'), ($1, 'powerful', 'Powerful', '{organization:delete,role:view}'),
              ($1, 'modest', 'Modest', '{role:view}')`,
      [b.org.id],
    )
    await addMember(db.admin, b.org.id, manager.user.id, 'role-editor')
    const actor = { userId: manager.user.id, organizationId: b.org.id }
    const edit = (key: string, change: ReturnType<typeof sql.fragment>) =>
      withTenant(actor, (tx) => tx.query(sql.unsafe`update roles set ${change} where organization_id = ${b.org.id} and key = ${key}`))
    // Before the edit (USING): stripping, or merely renaming, a role above the editor.
    expect((await edit('powerful', sql.fragment`permissions = '{role:view}'`)).rowCount).toBe(0)
    expect((await edit('powerful', sql.fragment`name = 'Renamed'`)).rowCount).toBe(0)
    const { rows } = await db.admin.query(`select name, permissions from roles where organization_id = $1 and key = 'powerful'`, [b.org.id])
    expect(rows).toEqual([{ name: 'Powerful', permissions: ['organization:delete', 'role:view'] }])
    // After the edit (WITH CHECK): raising a role above the editor.
    await expect(edit('modest', sql.fragment`permissions = '{organization:delete}'`)).rejects.toThrow(/row-level security/)
    // Within the editor's own permissions, before and after: allowed.
    expect((await edit('modest', sql.fragment`name = 'Modest 2'`)).rowCount).toBe(1)
  })

  test('a suspended organization is read-only for its members, its owner included; reading and the audit trail go on', async () => {
    const tenant = await createTenant('Frozen')
    const org = tenant.org.id
    const write = () =>
      withTenant(tenant.actor, (tx) => tx.query(sql.unsafe`update workspaces set description = 'edited' where organization_id = ${org}`))
    expect((await write()).rowCount).toBe(1)
    await db.admin.query(`update organizations set status = 'suspended' where id = $1`, [org])

    expect(await withTenant(tenant.actor, (tx) => tx.oneFirst(sql.unsafe`select count(*) from projects where organization_id = ${org}`))).toBe(1)
    expect((await write()).rowCount).toBe(0)
    expect((await withTenant(tenant.actor, (tx) => tx.query(sql.unsafe`delete from projects where organization_id = ${org}`))).rowCount).toBe(0)
    await expect(
      withTenant(tenant.actor, (tx) =>
        tx.query(sql.unsafe`insert into projects (organization_id, workspace_id, name, slug) values (${org}, ${tenant.workspaceId}, 'New', 'new')`),
      ),
    ).rejects.toThrow(/row-level security/)
    await expect(withTenant(tenant.actor, (tx) => tx.query(sql.unsafe`select transfer_ownership(${org}, ${bOwnerMemberId})`))).rejects.toThrow(
      /not_owner/,
    )
    const audited = await withTenant(tenant.actor, (tx) =>
      tx.query(sql.unsafe`insert into audit_logs (organization_id, user_id, action, resource_type, result)
                          values (${org}, ${tenant.user.id}, 'permission.denied', 'organization', 'failure')`),
    )
    expect(audited.rowCount).toBe(1)
    // Members cannot lift it themselves: the organization row is not theirs to update.
    expect(
      (await withTenant(tenant.actor, (tx) => tx.query(sql.unsafe`update organizations set status = 'active' where id = ${org}`))).rowCount,
    ).toBe(0)

    await db.admin.query(`update organizations set status = 'active' where id = $1`, [org])
    expect((await write()).rowCount).toBe(1)
  })

  test('ownership passes only on an unlimited credential: not through a token limited to some permissions', async () => {
    const tenant = await createTenant('Handover')
    const heir = await createTenant('Heir')
    await addMember(db.admin, tenant.org.id, heir.user.id, 'member')
    const heirMember = (
      await db.admin.query('select id from organization_members where organization_id = $1 and user_id = $2', [tenant.org.id, heir.user.id])
    ).rows[0].id
    const transfer = (actor: Actor) => withTenant(actor, (tx) => tx.query(sql.unsafe`select transfer_ownership(${tenant.org.id}, ${heirMember})`))
    await expect(transfer({ ...tenant.actor, token: { organizationId: tenant.org.id, permissions: ['member:update'] } })).rejects.toThrow(/not_owner/)
    await transfer({ ...tenant.actor, token: { organizationId: tenant.org.id, permissions: null } })
    const { rows } = await db.admin.query('select role from organization_members where id = $1', [heirMember])
    expect(rows).toEqual([{ role: 'owner' }])
  })
})

describe('personal access tokens', () => {
  const createOrganizationAs = (actor: Actor, slug: string) =>
    withTenant(actor, (tx) => tx.oneFirst(sql.unsafe`select create_organization('Made with a token', ${slug}, ${sql.jsonb(BUILTIN_ROLES as never)})`))

  test('a scoped token cannot create an organization; the same user without one can', async () => {
    const scopes = [
      { organizationId: null, permissions: ['workspace:view'] },
      { organizationId: a.org.id, permissions: null },
    ]
    for (const [i, token] of scopes.entries()) {
      await expect(createOrganizationAs({ userId: a.user.id, token }, `scoped-${process.pid}-${i}`), JSON.stringify(token)).rejects.toMatchObject({
        code: '42501',
      })
    }
    const { rows } = await db.admin.query(`select count(*)::int as n from organizations where slug like $1`, [`scoped-${process.pid}-%`])
    expect(rows[0].n).toBe(0)
    await expect(createOrganizationAs({ userId: a.user.id }, `unscoped-${process.pid}`)).resolves.toEqual(expect.any(String))
  })

  test('a user creates only their own tokens, unused and unrevoked, scoped to their own organizations', async () => {
    const create = (values: { userId?: string; organizationId?: string | null; lastUsed?: boolean; revoked?: boolean }) =>
      withTenant(a.actor, (tx) =>
        tx.query(sql.unsafe`
          insert into auth.api_tokens (user_id, token_hash, name, scope_organization_id, last_used_at, revoked_at)
          values (${values.userId ?? a.user.id}, ${randomBytes(32).toString('hex')}, 'Forged', ${values.organizationId ?? null},
                  ${values.lastUsed ? sql.fragment`now()` : null}, ${values.revoked ? sql.fragment`now()` : null})`),
      )
    for (const forged of [{ userId: b.user.id }, { organizationId: b.org.id }, { lastUsed: true }, { revoked: true }]) {
      await expect(create(forged), JSON.stringify(forged)).rejects.toThrow(/row-level security/)
    }
    const before = await db.admin.query(`select count(*)::int as n from auth.api_tokens where name = 'Forged'`)
    expect(before.rows[0].n).toBe(0)
    await create({ organizationId: a.org.id })
    const after = await db.admin.query(`select user_id from auth.api_tokens where name = 'Forged'`)
    expect(after.rows).toEqual([{ user_id: a.user.id }])
  })

  test('an owner can revoke their token but not un-revoke it', async () => {
    const { rows } = await db.admin.query(`insert into auth.api_tokens (user_id, token_hash, name) values ($1, $2, 'Revoked') returning id`, [
      a.user.id,
      randomBytes(32).toString('hex'),
    ])
    const tokenId = rows[0].id
    const revoke = sql.unsafe`update auth.api_tokens set revoked_at = now() where id = ${tokenId}`
    const unrevoke = sql.unsafe`update auth.api_tokens set revoked_at = null where id = ${tokenId}`
    expect((await withTenant(a.actor, (tx) => tx.query(revoke))).rowCount).toBe(1)
    await expect(withTenant(a.actor, (tx) => tx.query(unrevoke))).rejects.toThrow(/row-level security/)
    const after = await db.admin.query(`select revoked_at from auth.api_tokens where id = $1`, [tokenId])
    expect(after.rows[0].revoked_at).not.toBeNull()
  })
})

describe.each([
  { table: 'audit_logs', permission: 'audit:view' },
  { table: 'security_events', permission: 'security:view' },
  { table: 'invitations', permission: 'member:invite' },
] as const)('reading $table takes $permission from the organization role', ({ table, permission }) => {
  /** Someone who joins B with `role` (and perhaps admin on one workspace): how many of B's rows they read. */
  async function rowsSeenBy(role: string, { adminOnWorkspace = false } = {}) {
    const reader = await createTenant(`Reader ${role}`)
    await db.admin.query(
      `insert into organization_members (organization_id, user_id, role, status, joined_at) values ($1, $2, $3, 'active', now())`,
      [b.org.id, reader.user.id, role],
    )
    if (adminOnWorkspace) {
      await db.admin.query(
        `insert into role_grants (organization_id, member_id, role, workspace_id)
         select organization_id, id, 'admin', $3 from organization_members where organization_id = $1 and user_id = $2`,
        [b.org.id, reader.user.id, b.workspaceId],
      )
    }
    return withTenant({ userId: reader.user.id, organizationId: b.org.id }, (tx) => tx.oneFirst(countIn(table, b.org.id)))
  }

  test('a plain member reads none of them, even holding admin on a workspace; a custom role with the permission reads all', async () => {
    const key = `reader-${table}`
    await db.admin.query(`insert into roles (organization_id, key, name, permissions) values ($1, $2, $2, $3)`, [b.org.id, key, [permission]])
    const { rows } = await db.admin.query(`select count(*)::int as n from ${table} where organization_id = $1`, [b.org.id])
    expect(rows[0].n).toBeGreaterThan(0)
    expect(await rowsSeenBy('member')).toBe(0)
    expect(await rowsSeenBy('member', { adminOnWorkspace: true })).toBe(0)
    expect(await rowsSeenBy(key)).toBe(rows[0].n)
  })

  test('the permission in one organization reads nothing of another', async () => {
    const reader = await createTenant(`Reader elsewhere ${table}`)
    await db.admin.query(`insert into security_events (organization_id, type, severity) values ($1, 'XSS_ATTEMPT', 'HIGH')`, [reader.org.id])
    await db.admin.query(
      `insert into invitations (organization_id, email, role, token_hash, invited_by, expires_at)
       values ($1, 'guest@example.test', 'member', repeat('c', 64), $2, now() + interval '1 day')`,
      [reader.org.id, reader.user.id],
    )
    expect(await withTenant(reader.actor, (tx) => tx.oneFirst(countIn(table, reader.org.id)))).toBeGreaterThan(0)
    const elsewhere = sql.unsafe`select count(*)::int from ${sql.identifier([table])} where organization_id <> ${reader.org.id}`
    expect(await withTenant(reader.actor, (tx) => tx.oneFirst(elsewhere))).toBe(0)
  })
})

describe('reading workspaces and projects takes the view permission', () => {
  /** Someone who joins B with a role holding only audit:view, plus the grants given. */
  async function viewer(label: string, grants: { role: string; workspaceId?: string; projectId?: string }[] = []) {
    const reader = await createTenant(label)
    await addMember(db.admin, b.org.id, reader.user.id, 'auditor')
    for (const g of grants) {
      await db.admin.query(
        `insert into role_grants (organization_id, member_id, role, workspace_id, project_id)
         select organization_id, id, $3, $4, $5 from organization_members where organization_id = $1 and user_id = $2`,
        [b.org.id, reader.user.id, g.role, g.workspaceId ?? null, g.projectId ?? null],
      )
    }
    const actor = { userId: reader.user.id, organizationId: b.org.id }
    const seen = (table: 'workspaces' | 'projects') =>
      withTenant(actor, (tx) => tx.anyFirst(sql.unsafe`select name from ${id(table)} where organization_id = ${b.org.id} order by name`))
    return { workspaces: await seen('workspaces'), projects: await seen('projects') }
  }
  let otherWorkspace: string
  let grantedProject: string

  beforeAll(async () => {
    await db.admin.query(`insert into roles (organization_id, key, name, permissions) values ($1, 'auditor', 'Auditor', '{audit:view}')`, [b.org.id])
    otherWorkspace = (
      await db.admin.query(`insert into workspaces (organization_id, name, slug) values ($1, 'Other workspace', 'other') returning id`, [b.org.id])
    ).rows[0].id
    await db.admin.query(`insert into projects (organization_id, workspace_id, name, slug) values ($1, $2, 'Other project', 'other')`, [
      b.org.id,
      otherWorkspace,
    ])
    grantedProject = (
      await db.admin.query(
        `insert into projects (organization_id, workspace_id, name, slug) values ($1, $2, 'Granted project', 'granted') returning id`,
        [b.org.id, b.workspaceId],
      )
    ).rows[0].id
  })

  test('a member whose role holds no view permission reads no workspace and no project of their own organization', async () => {
    expect(await viewer('No view')).toEqual({ workspaces: [], projects: [] })
  })

  test('a project grant shows that project and its workspace, nothing else', async () => {
    expect(await viewer('Project grant', [{ role: 'member', projectId: grantedProject }])).toEqual({
      workspaces: ['General'],
      projects: ['Granted project'],
    })
  })

  test('a workspace grant shows that workspace and its projects', async () => {
    expect(await viewer('Workspace grant', [{ role: 'member', workspaceId: otherWorkspace }])).toEqual({
      workspaces: ['Other workspace'],
      projects: ['Other project'],
    })
  })

  test('a grant whose role sees nothing shows nothing', async () => {
    expect(await viewer('Blind grant', [{ role: 'auditor', workspaceId: otherWorkspace }])).toEqual({ workspaces: [], projects: [] })
  })

  test('a token limited to other permissions hides what the role would show', async () => {
    const actor = { ...a.actor, token: { organizationId: null, permissions: ['audit:view'] } }
    const n = await withTenant(actor, (tx) => tx.oneFirst(sql.unsafe`select (select count(*) from workspaces) + (select count(*) from projects)`))
    expect(n).toBe(0)
    expect(await withTenant(a.actor, (tx) => tx.oneFirst(countIn('workspaces', a.org.id)))).toBeGreaterThan(0)
  })
})

describe('connections handed back to the pool', () => {
  test('carry no role or claims into the next query', async () => {
    await withTenant(a.actor, (tx) => tx.query(sql.unsafe`select 1`))
    const pool = await getPool()
    for (let i = 0; i < 5; i++) {
      const row = await pool.one(sql.unsafe`
        select current_user as "user", coalesce(current_setting('request.jwt.claims', true), '') as claims`)
      expect(row).toEqual({ user: 'nextsaas_app', claims: '' })
    }
  })
})
