import type { Logger } from 'pino'
import { z } from 'zod'
import type { ScopedGrant } from '~/lib/permissions'
import { isSlug } from '~/lib/slug'
import { isUuid } from '~/lib/validation'
import { sql, withTenant, type Actor, type TenantActor } from './db.server'
import type { SessionUser } from './user.server'

/** A member at work in one organization: what every guard and tenant model call is given. */
export interface Tenant {
  user: SessionUser
  /** `suspended`: read-only for its members (an operator suspends and reactivates it). */
  organization: { id: string; name: string; slug: string; status: OrganizationStatus }
  membership: { id: string; role: string; roleName: string }
  /** The organization role's permissions (narrowed to a token's scope). */
  permissions: readonly string[]
  /** Roles held on single workspaces or projects. */
  grants: readonly ScopedGrant[]
  /** The actor for withTenant() and the audit log. */
  actor: TenantActor
  /** The organization's own rate limits as stored, read with the membership. */
  rateLimits: Record<string, unknown>
  /** The permissions this request was allowed so far (requirePermission), newest last. */
  permitted: string[]
  /** The request's logger: permission decisions are traced on it at debug level. */
  logger: Logger
}

export const ORGANIZATION_STATUSES = ['active', 'suspended'] as const
export type OrganizationStatus = (typeof ORGANIZATION_STATUSES)[number]

export const Membership = z.object({
  organizationId: z.string(),
  organizationName: z.string(),
  organizationSlug: z.string(),
  organizationStatus: z.enum(ORGANIZATION_STATUSES),
  /** The owners' limits as stored (organizations.settings -> 'rateLimits'); `{}` when none. */
  rateLimits: z.record(z.unknown()),
  memberId: z.string(),
  role: z.string(),
  roleName: z.string(),
  permissions: z.array(z.string()),
  grants: z.array(
    z.object({
      workspaceId: z.string().nullable(),
      projectId: z.string().nullable(),
      inWorkspaceId: z.string().nullable(),
      permissions: z.array(z.string()),
    }),
  ),
})
export type Membership = z.infer<typeof Membership>

export type OrganizationRef = { slug: string } | { id: string }

type Fragment = ReturnType<typeof sql.fragment>

/**
 * Which organization a reference names, in membershipQuery's terms: `where`
 * picks it, `organizationId` is its id for the membership's grants — a
 * literal when the reference is an id, so that on Citus every distributed
 * table in the query names its shard (a router query; `o` is a reference
 * table). Null when it cannot name one (not a slug, not a UUID), which is
 * worth no query.
 */
export function organizationWhere(ref: OrganizationRef): { where: Fragment; organizationId: Fragment } | null {
  if ('slug' in ref)
    return isSlug(ref.slug) ? { where: sql.fragment`o.slug = ${sql.literalValue(ref.slug)}`, organizationId: sql.fragment`m.organization_id` } : null
  if (!isUuid(ref.id)) return null
  const id = sql.literalValue(ref.id.toLowerCase())
  return { where: sql.fragment`o.id = ${id} and m.organization_id = ${id}`, organizationId: id }
}

/**
 * The caller's active membership in the organization `filter` picks, read
 * under RLS as the caller. Its values are literals (organizationWhere), so
 * that the request's opening round trip can carry it (request-transaction.server.ts).
 */
export function membershipQuery({ where, organizationId }: NonNullable<ReturnType<typeof organizationWhere>>) {
  return sql.fragment`
    select o.id as "organizationId", o.name as "organizationName", o.slug as "organizationSlug",
           o.status as "organizationStatus",
           coalesce(o.settings -> 'rateLimits', '{}') as "rateLimits",
           m.id as "memberId", m.role, r.name as "roleName", r.permissions,
           coalesce((select jsonb_agg(jsonb_build_object('workspaceId', g.workspace_id, 'projectId', g.project_id,
                                                'inWorkspaceId', p.workspace_id, 'permissions', gr.permissions))
                     from role_grants g join roles gr on gr.organization_id = g.organization_id and gr.key = g.role
                     left join projects p on p.organization_id = g.organization_id and p.id = g.project_id
                     where g.organization_id = ${organizationId} and g.member_id = m.id), '[]') as grants
    from organizations o
    join organization_members m on m.organization_id = o.id and m.user_id = auth.uid() and m.status = 'active'
    join roles r on r.organization_id = m.organization_id and r.key = m.role
    where ${where}`
}

/**
 * The actor's active membership in the organization `ref` names, or null
 * when there is none — the same answer for "no such organization" and "not
 * yours", so that other tenants' slugs and ids cannot be probed.
 */
export function findMembership(actor: Actor, ref: OrganizationRef): Promise<Membership | null> {
  const filter = organizationWhere(ref)
  if (!filter) return Promise.resolve(null)
  return withTenant(actor, (tx) => tx.maybeOne(sql.type(Membership)`${membershipQuery(filter)}`))
}
