import { z } from 'zod'
import { DomainError } from '~/lib/errors'
import { toPage, type ListQuery, type Page } from '~/lib/pagination'
import { holdsAll } from '~/lib/permissions'
import { isUuid } from '~/lib/validation'
import { writeAudit } from './audit.server'
import { sql, withTenant, type TenantActor, type Tx } from './db.server'

const Grant = z.object({
  id: z.string(),
  role: z.string(),
  roleName: z.string(),
  permissions: z.array(z.string()),
  workspaceId: z.string().nullable(),
  projectId: z.string().nullable(),
  resourceName: z.string(),
})
export type Grant = z.infer<typeof Grant>

const Member = z.object({
  id: z.string(),
  userId: z.string(),
  name: z.string(),
  email: z.string(),
  role: z.string(),
  roleName: z.string(),
  rolePermissions: z.array(z.string()),
  status: z.enum(['invited', 'active', 'suspended']),
  joinedAt: z.date().nullable(),
  grants: z.array(Grant),
})
export type Member = z.infer<typeof Member>

const SELECT_MEMBER = sql.fragment`
  select m.id, m.user_id as "userId", u.name, u.email, m.role, r.name as "roleName", r.permissions as "rolePermissions",
         m.status, m.joined_at as "joinedAt",
         coalesce((
           select jsonb_agg(jsonb_build_object(
                    'id', g.id, 'role', g.role, 'roleName', gr.name, 'permissions', gr.permissions,
                    'workspaceId', g.workspace_id, 'projectId', g.project_id,
                    'resourceName', coalesce(w.name, p.name, '')) order by g.created_at)
           from role_grants g
           join roles gr on gr.organization_id = g.organization_id and gr.key = g.role
           left join workspaces w on w.organization_id = g.organization_id and w.id = g.workspace_id
           left join projects p on p.organization_id = g.organization_id and p.id = g.project_id
           where g.organization_id = m.organization_id and g.member_id = m.id), '[]') as grants
  from organization_members m
  join auth.users u on u.id = m.user_id
  join roles r on r.organization_id = m.organization_id and r.key = m.role`

export function listMembers(actor: TenantActor, query: ListQuery): Promise<Page<Member>> {
  return withTenant(actor, async (tx) => {
    const order = query.sort === 'recent' ? sql.fragment`m.joined_at desc nulls last, m.id` : sql.fragment`lower(u.name), m.id`
    const rows = await tx.any(sql.type(Member)`
      ${SELECT_MEMBER}
      where m.organization_id = ${actor.organizationId}
      order by ${order}
      limit ${query.pageSize} offset ${(query.page - 1) * query.pageSize}`)
    const total = await tx.oneFirst(sql.type(z.object({ n: z.number() }))`
      select count(*) as n from organization_members where organization_id = ${actor.organizationId}`)
    return toPage(rows, total, query)
  })
}

const MemberChoice = z.object({ userId: z.string(), name: z.string(), email: z.string() })
export type MemberChoice = z.infer<typeof MemberChoice>

/** Every member by name, as options for a picker. */
export function listMemberChoices(actor: TenantActor): Promise<readonly MemberChoice[]> {
  return withTenant(actor, (tx) =>
    tx.any(sql.type(MemberChoice)`
      select m.user_id as "userId", u.name, u.email
      from organization_members m join auth.users u on u.id = m.user_id
      where m.organization_id = ${actor.organizationId}
      order by lower(u.name), lower(u.email)`),
  )
}

export function findMember(actor: TenantActor, memberId: string): Promise<Member | null> {
  if (!isUuid(memberId)) return Promise.resolve(null)
  return withTenant(actor, (tx) =>
    tx.maybeOne(sql.type(Member)`${SELECT_MEMBER} where m.organization_id = ${actor.organizationId} and m.id = ${memberId}`),
  )
}

/** What the actor may do to another member: never to themselves, never above their own permissions. */
export async function targetFor(tx: Tx, actor: TenantActor, held: readonly string[], memberId: string) {
  if (!isUuid(memberId)) throw new DomainError('Member not found', undefined, 'NOT_FOUND')
  const target = await tx.maybeOne(sql.type(Member)`${SELECT_MEMBER} where m.organization_id = ${actor.organizationId} and m.id = ${memberId}`)
  if (!target) throw new DomainError('Member not found', undefined, 'NOT_FOUND')
  if (target.userId === actor.userId) throw new DomainError('You cannot change your own membership', undefined, 'SELF')
  if (!holdsAll(held, target.rolePermissions)) {
    throw new DomainError(`Only someone holding everything an ${target.roleName} holds can change this member`, undefined, 'ESCALATION')
  }
  return target
}

/**
 * Refuses to hand out a role that is not one of the organization's, or that
 * holds a permission the actor does not; `field` names the form field to blame.
 */
export async function requireGrantableRole(tx: Tx, actor: TenantActor, held: readonly string[], roleKey: string, field = 'role') {
  const permissions = await tx.maybeOneFirst(sql.type(z.object({ permissions: z.array(z.string()) }))`
    select permissions from roles where organization_id = ${actor.organizationId} and key = ${roleKey}`)
  if (!permissions) throw new DomainError('Choose one of the organization’s roles', field, 'VALIDATION_FAILED')
  if (!holdsAll(held, permissions)) {
    throw new DomainError('You cannot give a role with permissions you do not hold', field, 'ESCALATION')
  }
}

/** Row-level security filtered the row the checks above found: the database refused, so nothing is audited as done. */
function refusedUnlessChanged(rowCount: number, message: string) {
  if (rowCount !== 1) throw new DomainError(message, undefined, 'FORBIDDEN')
}

function mapLastOwner(error: unknown): never {
  if (error instanceof Error && /last_owner/.test(error.message)) {
    throw new DomainError('The organization needs at least one active owner', undefined, 'LAST_OWNER')
  }
  throw error
}

export function changeMemberRole(actor: TenantActor, held: readonly string[], memberId: string, role: string): Promise<void> {
  return withTenant(actor, async (tx) => {
    const target = await targetFor(tx, actor, held, memberId)
    await requireGrantableRole(tx, actor, held, role)
    const changed = await tx
      .query(sql.unsafe`update organization_members set role = ${role} where organization_id = ${actor.organizationId} and id = ${memberId}`)
      .catch(mapLastOwner)
    refusedUnlessChanged(changed.rowCount, 'You cannot change this member’s role')
    await writeAudit(tx, actor, {
      action: 'member.role_changed',
      resourceType: 'member',
      resourceId: memberId,
      details: { from: target.role, to: role },
    })
  })
}

export function setMemberStatus(actor: TenantActor, held: readonly string[], memberId: string, status: 'active' | 'suspended'): Promise<void> {
  return withTenant(actor, async (tx) => {
    await targetFor(tx, actor, held, memberId)
    const changed = await tx
      .query(sql.unsafe`update organization_members set status = ${status} where organization_id = ${actor.organizationId} and id = ${memberId}`)
      .catch(mapLastOwner)
    refusedUnlessChanged(changed.rowCount, 'You cannot change this member’s status')
    await writeAudit(tx, actor, {
      action: status === 'suspended' ? 'member.suspended' : 'member.reactivated',
      resourceType: 'member',
      resourceId: memberId,
    })
  })
}

export function removeMember(actor: TenantActor, held: readonly string[], memberId: string): Promise<void> {
  return withTenant(actor, async (tx) => {
    const target = await targetFor(tx, actor, held, memberId)
    const removed = await tx
      .query(sql.unsafe`delete from organization_members where organization_id = ${actor.organizationId} and id = ${memberId}`)
      .catch(mapLastOwner)
    refusedUnlessChanged(removed.rowCount, 'You cannot remove this member')
    await writeAudit(tx, actor, {
      action: 'member.removed',
      resourceType: 'member',
      resourceId: memberId,
      details: { email: target.email, role: target.role },
    })
  })
}

/** Hands the organization to another active member: they become owner, the actor (an owner) becomes admin. */
export function transferOwnership(actor: TenantActor, memberId: string): Promise<void> {
  if (!isUuid(memberId)) return Promise.reject(new DomainError('Member not found', undefined, 'NOT_FOUND'))
  return withTenant(actor, async (tx) => {
    await tx.query(sql.unsafe`select transfer_ownership(${actor.organizationId}, ${memberId})`).catch((error: unknown) => {
      if (error instanceof Error && /not_owner/.test(error.message)) {
        throw new DomainError('Only an owner, signed in without a limited token, can hand over ownership', undefined, 'FORBIDDEN')
      }
      if (error instanceof Error && /invalid_member/.test(error.message)) {
        throw new DomainError('Ownership passes only to another active member', undefined, 'CONFLICT')
      }
      throw error
    })
    await writeAudit(tx, actor, { action: 'organization.ownership_transferred', resourceType: 'member', resourceId: memberId })
  })
}
