import { randomUUID } from 'node:crypto'
import { ForeignKeyIntegrityConstraintViolationError } from 'slonik'
import { z } from 'zod'
import { DomainError } from '~/lib/errors'
import { CATALOG, holdsAll, permits, unseenCreations, unseenCreationsMessage } from '~/lib/permissions'
import { isUuid } from '~/lib/validation'
import { roles } from '../../db/types/public/Roles'
import { writeAudit } from './audit.server'
import { sql, withTenant, type TenantActor } from './db.server'
import { requireGrantableRole } from './member.server'

export const Role = roles.omit({ created_at: true, updated_at: true })
export type Role = z.infer<typeof Role>
const RoleWithHolders = Role.extend({ holders: z.number() })
export type RoleWithHolders = z.infer<typeof RoleWithHolders>

export interface RoleInput {
  name: string
  description?: string
  permissions: readonly string[]
}

/** Built-in roles first (owner, admin, member), then custom roles by name, each with how many hold it. */
export function listRoles(actor: TenantActor): Promise<readonly RoleWithHolders[]> {
  return withTenant(actor, (tx) =>
    tx.any(sql.type(RoleWithHolders)`
      select r.organization_id, r.id, r.key, r.name, r.description, r.permissions, r.is_builtin,
             (select count(*) from organization_members m where m.organization_id = r.organization_id and m.role = r.key)
             + (select count(*) from role_grants g where g.organization_id = r.organization_id and g.role = r.key) as holders
      from roles r
      where r.organization_id = ${actor.organizationId}
      order by r.is_builtin desc, array_position(array['owner', 'admin', 'member'], r.key), lower(r.name)`),
  )
}

export function findRole(actor: TenantActor, id: string): Promise<Role | null> {
  if (!isUuid(id)) return Promise.resolve(null)
  return withTenant(actor, (tx) =>
    tx.maybeOne(sql.type(Role)`
      select organization_id, id, key, name, description, permissions, is_builtin
      from roles where organization_id = ${actor.organizationId} and id = ${id}`),
  )
}

/**
 * Refuses permissions outside the catalog, creating what the role cannot see
 * (the new row would be hidden from its creator), and any permission the actor
 * does not hold themselves.
 */
function checkGrantable(held: readonly string[], requested: readonly string[]) {
  const unknown = requested.filter((p) => p !== '*' && !(CATALOG as readonly string[]).includes(p))
  if (unknown.length) throw new DomainError(`Unknown permissions: ${unknown.join(', ')}`, 'permissions', 'VALIDATION_FAILED')
  const unseen = unseenCreations(requested)
  if (unseen.length) throw new DomainError(unseenCreationsMessage(unseen), 'permissions', 'VALIDATION_FAILED')
  const above = requested.filter((p) => !permits(held, p))
  if (above.length) {
    throw new DomainError(`You cannot grant permissions you do not hold: ${above.join(', ')}`, 'permissions', 'ESCALATION')
  }
}

const NAME_TAKEN = 'A role with this name already exists'

export function createRole(actor: TenantActor, held: readonly string[], input: RoleInput): Promise<Role> {
  checkGrantable(held, input.permissions)
  return withTenant(actor, async (tx) => {
    const id = randomUUID()
    const existing = await tx.maybeOne(sql.unsafe`
      select 1 from roles where organization_id = ${actor.organizationId} and lower(name) = lower(${input.name})`)
    if (existing) throw new DomainError(NAME_TAKEN, 'name')
    const role = await tx.one(sql.type(Role)`
      insert into roles (organization_id, id, key, name, description, permissions)
      values (${actor.organizationId}, ${id}, ${id}, ${input.name}, ${input.description ?? ''}, ${sql.array([...input.permissions], 'text')})
      returning organization_id, id, key, name, description, permissions, is_builtin`)
    await writeAudit(tx, actor, { action: 'role.created', resourceType: 'role', resourceId: id, details: { ...input } })
    return role
  })
}

/**
 * Edits a custom role. The editor must hold every permission the role holds
 * before the edit and after it — stripping a permission is handing it out in
 * reverse — like deleting it; the roles_update policy says the same.
 */
export function updateRole(actor: TenantActor, held: readonly string[], id: string, input: RoleInput): Promise<Role> {
  checkGrantable(held, input.permissions)
  return withTenant(actor, async (tx) => {
    const current = await tx.maybeOne(sql.type(Role)`
      select organization_id, id, key, name, description, permissions, is_builtin
      from roles where organization_id = ${actor.organizationId} and id = ${id}`)
    if (!current) throw new DomainError('Role not found', undefined, 'NOT_FOUND')
    if (current.is_builtin) throw new DomainError('Built-in roles cannot be changed', undefined, 'BUILTIN')
    const above = current.permissions.filter((p) => !permits(held, p))
    if (above.length) {
      throw new DomainError(`You cannot edit a role holding permissions you do not hold: ${above.join(', ')}`, 'permissions', 'ESCALATION')
    }
    const clash = await tx.maybeOne(sql.unsafe`
      select 1 from roles where organization_id = ${actor.organizationId} and lower(name) = lower(${input.name}) and id <> ${id}`)
    if (clash) throw new DomainError(NAME_TAKEN, 'name')
    const role = await tx.maybeOne(sql.type(Role)`
      update roles set name = ${input.name}, description = ${input.description ?? ''}, permissions = ${sql.array([...input.permissions], 'text')}
      where organization_id = ${actor.organizationId} and id = ${id}
      returning organization_id, id, key, name, description, permissions, is_builtin`)
    // The checks above passed, yet the policy refused: the database has the last word.
    if (!role) throw new DomainError('You cannot edit this role', undefined, 'FORBIDDEN')
    await writeAudit(tx, actor, {
      action: 'role.updated',
      resourceType: 'role',
      resourceId: id,
      details: { ...input, before: { name: current.name, permissions: current.permissions } },
    })
    return role
  })
}

/**
 * Deletes a custom role. When people hold it, `reassignTo` (another role's
 * key, within the actor's own permissions) takes its place for all of them in
 * the same transaction; without it the role stays.
 */
export function deleteRole(actor: TenantActor, held: readonly string[], id: string, reassignTo?: string): Promise<void> {
  return withTenant(actor, async (tx) => {
    // Locked, so that no invitation offers it between here and its deletion: the invitations that go with it
    // (a cascade), even those the actor cannot see, are named in the audit row, which announces them on Citus.
    const role = await tx.maybeOne(sql.type(Role.extend({ invitationIds: z.array(z.string()) }))`
      select organization_id, id, key, name, description, permissions, is_builtin,
             coalesce(public.role_invitation_ids(r.organization_id, r.key), '{}') as "invitationIds"
      from roles r where organization_id = ${actor.organizationId} and id = ${id} for update`)
    if (!role) throw new DomainError('Role not found', undefined, 'NOT_FOUND')
    if (role.is_builtin) throw new DomainError('Built-in roles cannot be deleted', undefined, 'BUILTIN')
    if (!holdsAll(held, role.permissions)) {
      throw new DomainError('You cannot delete a role with permissions you do not hold', undefined, 'ESCALATION')
    }
    let reassignedMemberIds: readonly string[] = []
    if (reassignTo) {
      if (reassignTo === role.key) throw new DomainError('Choose another role for the people who hold this one', 'reassignTo', 'VALIDATION_FAILED')
      await requireGrantableRole(tx, actor, held, reassignTo, 'reassignTo')
      reassignedMemberIds = await tx.anyFirst(sql.type(z.object({ id: z.string() }))`
        update organization_members set role = ${reassignTo} where organization_id = ${actor.organizationId} and role = ${role.key} returning id`)
      await tx.query(sql.unsafe`delete from role_grants where organization_id = ${actor.organizationId} and role = ${role.key}`)
    }
    try {
      await tx.transaction((sp) => sp.query(sql.unsafe`delete from roles where organization_id = ${actor.organizationId} and id = ${id}`))
    } catch (error) {
      if (error instanceof ForeignKeyIntegrityConstraintViolationError) {
        throw new DomainError('People still hold this role: choose a role to give them instead', 'reassignTo', 'IN_USE')
      }
      throw error
    }
    await writeAudit(tx, actor, {
      action: 'role.deleted',
      resourceType: 'role',
      resourceId: id,
      details: { name: role.name, reassignTo, reassignedMemberIds, invitationIds: role.invitationIds },
    })
  })
}
