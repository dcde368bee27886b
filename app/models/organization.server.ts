import { UniqueIntegrityConstraintViolationError } from 'slonik'
import { z } from 'zod'
import { DomainError } from '~/lib/errors'
import { toPage, type ListQuery, type Page } from '~/lib/pagination'
import { BUILTIN_ROLES } from '~/lib/permissions'
import { slugCandidates, slugify } from '~/lib/slug'
import { writeAudit } from './audit.server'
import { withSlugCheck } from './constraints.server'
import { sql, withAuthService, withTenant, type Actor, type TenantActor } from './db.server'
import { ORGANIZATION_STATUSES, type OrganizationStatus } from './tenant.server'

const MyOrganization = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  role: z.string(),
  roleName: z.string(),
  memberCount: z.number(),
  status: z.enum(ORGANIZATION_STATUSES),
})
export type MyOrganization = z.infer<typeof MyOrganization>

/** The organizations the actor is an active member of, with their role in each. */
// Joined through the membership's organization_id: on Citus, correlating on the reference table's
// o.id is not planned ("complex joins are only supported…").
export function listMyOrganizations(actor: Actor): Promise<readonly MyOrganization[]> {
  return withTenant(actor, (tx) =>
    tx.any(sql.type(MyOrganization)`
      select o.id, o.name, o.slug, m.role, r.name as "roleName", o.status,
             (select count(*) from organization_members c
               where c.organization_id = m.organization_id and c.status = 'active') as "memberCount"
      from organizations o
      join organization_members m on m.organization_id = o.id and m.user_id = auth.uid() and m.status = 'active'
      join roles r on r.organization_id = m.organization_id and r.key = m.role
      order by lower(o.name), o.id`),
  )
}

const MAX_SLUG_ATTEMPTS = 20

/**
 * Creates an organization with the actor as owner, its built-in roles and a
 * default workspace, in one transaction. The slug is derived from the name
 * and suffixed (-2, -3…) when taken.
 */
export function createOrganization(actor: Actor, input: { name: string }): Promise<{ id: string; slug: string }> {
  return withTenant(actor, async (tx) => {
    let attempts = 0
    for (const slug of slugCandidates(slugify(input.name, 'organization'))) {
      try {
        // A savepoint per attempt: a clash rolls back only that attempt.
        const id = await tx.transaction((sp) =>
          sp.oneFirst(sql.type(z.object({ id: z.string() }))`
            select create_organization(${input.name}, ${slug}, ${sql.jsonb(BUILTIN_ROLES as never)}) as id`),
        )
        await writeAudit(
          tx,
          actor,
          {
            action: 'organization.created',
            resourceType: 'organization',
            resourceId: id,
            details: { name: input.name, slug },
          },
          id,
        )
        return { id, slug }
      } catch (error) {
        if (!(error instanceof UniqueIntegrityConstraintViolationError) || ++attempts >= MAX_SLUG_ATTEMPTS) throw error
      }
    }
    throw new Error('unreachable')
  })
}

const SLUG_TAKEN = 'This address is taken by another organization'

/** Renames the organization and/or changes its slug (old links then answer 404). */
export function updateOrganization(actor: TenantActor, input: { name: string; slug: string }): Promise<{ slug: string }> {
  return withTenant(actor, async (tx) => {
    const updated = await withSlugCheck('organizations_slug_key', SLUG_TAKEN, () =>
      tx.maybeOne(sql.type(z.object({ slug: z.string() }))`
        update organizations set name = ${input.name}, slug = ${input.slug}
        where id = ${actor.organizationId}
        returning slug`),
    )
    if (!updated) throw new DomainError('You cannot change this organization', undefined, 'FORBIDDEN')
    await writeAudit(tx, actor, {
      action: 'organization.updated',
      resourceType: 'organization',
      resourceId: actor.organizationId,
      details: input,
    })
    return updated
  })
}

/** How many days the organization keeps its audit log (null: as long as the operator's maximum). */
export function getAuditRetention(actor: TenantActor): Promise<number | null> {
  return withTenant(actor, (tx) =>
    tx.oneFirst(sql.type(z.object({ days: z.number().nullable() }))`
      select audit_retention_days as days from organizations where id = ${actor.organizationId}`),
  )
}

/** Sets the audit log's retention; `npm run audit:prune` applies it. */
export function setAuditRetention(actor: TenantActor, days: number | null): Promise<void> {
  return withTenant(actor, async (tx) => {
    const previous = await tx.maybeOne(sql.type(z.object({ days: z.number().nullable() }))`
      select audit_retention_days as days from organizations where id = ${actor.organizationId} for update`)
    const updated = await tx.query(sql.unsafe`
      update organizations set audit_retention_days = ${days} where id = ${actor.organizationId}`)
    if (!previous || updated.rowCount === 0) throw new DomainError('You cannot change this organization', undefined, 'FORBIDDEN')
    await writeAudit(tx, actor, {
      action: 'organization.audit_retention_changed',
      resourceType: 'organization',
      resourceId: actor.organizationId,
      details: { from: previous.days, to: days },
    })
  })
}

/**
 * Deletes the organization with its roles, members, workspaces and projects
 * (foreign keys cascade) in one transaction, through delete_organization():
 * the delete policy's rule, checked where Citus keeps the memberships. The
 * audit row is written first, while the actor is still a member; logs
 * outlive the organization.
 */
export function deleteOrganization(actor: TenantActor, name: string): Promise<void> {
  return withTenant(actor, async (tx) => {
    await writeAudit(tx, actor, {
      action: 'organization.deleted',
      resourceType: 'organization',
      resourceId: actor.organizationId,
      details: { name },
    })
    const deleted = await tx.oneFirst(sql.type(z.object({ deleted: z.boolean() }))`
      select public.delete_organization(${actor.organizationId}) as deleted`)
    if (!deleted) throw new DomainError('You cannot delete this organization', undefined, 'FORBIDDEN')
  })
}

// ---------------------------------------------------------------- the instance's operators

const OperatorOrganization = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  status: z.enum(ORGANIZATION_STATUSES),
  memberCount: z.number(),
  createdAt: z.date(),
  total: z.number(),
})
export type OperatorOrganization = z.infer<typeof OperatorOrganization>

/**
 * Every organization of the instance whose name or slug contains `search`,
 * by name, for its operators. The caller must have checked that the user is
 * one (configuration names them); the database function only reads.
 */
export async function listAllOrganizations(search: string, query: ListQuery): Promise<Page<OperatorOrganization>> {
  const rows = await withAuthService((tx) =>
    tx.any(sql.type(OperatorOrganization)`
      select id, name, slug, status, member_count as "memberCount", created_at as "createdAt", total
      from public.operator_organizations(${search.trim() || null}, ${query.pageSize}, ${(query.page - 1) * query.pageSize})`),
  )
  return toPage(rows, rows[0]?.total ?? 0, query)
}

/**
 * Suspends an organization (read-only for its members) or reactivates it, as
 * an operator; audited in the organization's own log. False when it was
 * already so, or is not there.
 */
export function setOrganizationStatus(operator: Actor, organizationId: string, status: OrganizationStatus): Promise<boolean> {
  return withAuthService((tx) =>
    tx.oneFirst(sql.type(z.object({ changed: z.boolean() }))`
      select public.operator_set_organization_status(${organizationId}, ${status}, ${operator.userId}, ${operator.ip ?? null}, ${operator.userAgent ?? null}) as changed`),
  )
}
