/**
 * The guards both doors go through. A page (cookie session) and an API call
 * (bearer token) each name who is asking — a Principal — and from there on
 * the same functions resolve the organization, check limits and permissions,
 * and record denials: a rule cannot hold on one door and not the other.
 *
 *   resolveTenant       membership (by slug or id) → tenant → member and organization limits, once per request
 *   requirePermission   403 and a denial audit row when the tenant may see this but not do it
 *   requireWorkspaceList / requireProjectList / requireVisibleWorkspace   the view rules (lib/permissions)
 */
import type { AppLoadContext } from '@remix-run/node'
import { openedRequest, type RouteParams } from '~/auth/opening.server'
import { requireUser } from '~/auth/session.server'
import { notFound, refusal } from '~/lib/errors'
import {
  decide,
  effectivePermissions,
  isViewPermission,
  permits,
  seesAnyWorkspace,
  seesProjectsIn,
  seesWorkspace,
  type Permission,
  SUSPENDED_MESSAGE,
  viewOnly,
  type Scope,
} from '~/lib/permissions'
import { clientOf, identify, memoize } from '~/lib/request-context'
import type { TokenScope } from '~/models/api-token.server'
import { recordDenial, recordError } from '~/models/audit.server'
import type { Actor } from '~/models/db.server'
import { listMyOrganizations } from '~/models/organization.server'
import { findMembership, type Membership, type OrganizationRef, type Tenant } from '~/models/tenant.server'
import type { SessionUser } from '~/models/user.server'
import { enforceTenantLimits } from '~/rate-limit/guards.server'

/** Who is asking: a user, and what their credential allows (null: a session, all the user may). */
export interface Principal {
  user: SessionUser
  scope: TokenScope | null
}

/**
 * The actor for user-level work outside any organization (listing, creating
 * one): a token's scope goes into the claims, and the request's transaction
 * comes along, for withTenant() to join when it was opened for this caller.
 */
export function userActor(user: SessionUser, request: Request, context: AppLoadContext, scope: TokenScope | null = null): Actor {
  const actor: Actor = { userId: user.id, ...clientOf(request, context), request: context.database }
  return scope ? { ...actor, token: scope } : actor
}

/**
 * What a member holds, cut down to what the token allows (both with
 * inheritance), and to the view permissions in a suspended organization: the
 * same narrowing as auth.token_allows() in the database.
 */
function narrow(held: readonly string[], allowed: readonly string[] | null | undefined, suspended: boolean): readonly string[] {
  const scoped = allowed ? effectivePermissions(held).filter((permission) => permits(allowed, permission)) : held
  return suspended ? viewOnly(scoped) : scoped
}

function toTenant(principal: Principal, m: Membership, request: Request, context: AppLoadContext): Tenant {
  const allowed = principal.scope?.permissions
  const suspended = m.organizationStatus === 'suspended'
  return {
    user: principal.user,
    organization: { id: m.organizationId, name: m.organizationName, slug: m.organizationSlug, status: m.organizationStatus },
    membership: { id: m.memberId, role: m.role, roleName: m.roleName },
    permissions: narrow(m.permissions, allowed, suspended),
    grants: m.grants.map((grant) => ({ ...grant, permissions: narrow(grant.permissions, allowed, suspended) })),
    actor: { ...userActor(principal.user, request, context, principal.scope), organizationId: m.organizationId, role: m.role },
    rateLimits: m.rateLimits,
    permitted: [],
    logger: context.logger,
  }
}

const sameRef = (a: OrganizationRef | undefined, b: OrganizationRef) =>
  a !== undefined && ('slug' in a && 'slug' in b ? a.slug === b.slug : 'id' in a && 'id' in b && a.id.toLowerCase() === b.id.toLowerCase())

/**
 * The organization as the principal's tenant, once per request: the active
 * membership (narrowed to a token's scope), then the member's and the
 * organization's limits. Anything else — no such organization, someone
 * else's, a suspended membership, one outside the token's scope — is the same
 * 404, so other tenants' names and ids cannot be probed.
 */
export async function resolveTenant(principal: Principal, ref: OrganizationRef, request: Request, context: AppLoadContext): Promise<Tenant> {
  const key = 'slug' in ref ? `tenant:slug:${ref.slug}` : `tenant:id:${ref.id.toLowerCase()}`
  // Nested loaders share one resolution; a refusal is memoized as a Response
  // and thrown as a fresh copy each time, since a body can be read only once.
  const resolved = await memoize(context, key, async (): Promise<Tenant | Response> => {
    // The request's opening read the membership it names; another organization costs a query of its own.
    const opened = await openedRequest(context)
    const membership =
      opened && sameRef(opened.refs.organization, ref)
        ? opened.membership
        : await findMembership(userActor(principal.user, request, context, principal.scope), ref)
    const inScope = !principal.scope?.organizationId || principal.scope.organizationId === membership?.organizationId
    if (!membership || !inScope) return notFound('Organization not found')
    identify(context, { organizationId: membership.organizationId })
    const tenant = toTenant(principal, membership, request, context)
    context.logger.debug(
      {
        tenant: {
          organizationId: tenant.organization.id,
          memberId: tenant.membership.id,
          role: tenant.membership.role,
          permissions: tenant.permissions,
          grants: tenant.grants,
          tokenScope: principal.scope,
        },
      },
      'tenant context resolved',
    )
    try {
      await enforceTenantLimits(tenant, request, context)
    } catch (thrown) {
      if (thrown instanceof Response) return thrown
      throw thrown
    }
    context.memo.set(RESOLVED, Promise.resolve(tenant))
    return tenant
  })
  if (resolved instanceof Response) throw resolved.clone()
  return resolved
}

/**
 * Who reads a live-update stream: the claims its re-reads run with (no
 * request transaction: the stream outlives its request), and the grants the
 * member held when it opened (a deletion of a row seen through a grant on it
 * alone is theirs to hear, though the grant went with the row).
 */
export interface Viewer {
  actor: Actor & { organizationId: string }
  grants: Tenant['grants']
}

export function viewerOf(tenant: Tenant): Viewer {
  const { userId, organizationId, token } = tenant.actor
  return { actor: { userId, organizationId, ...(token ? { token } : {}) }, grants: tenant.grants }
}

/** Where the request keeps the tenant it resolved last (for recordRequestError). */
const RESOLVED = 'tenant:resolved'
const isTenant = (value: unknown): value is Tenant => typeof value === 'object' && value !== null && 'permitted' in value

/** The page door: the signed-in user (or a redirect to sign in) in the `$org` organization. */
export async function requireTenant(request: Request, params: RouteParams, context: AppLoadContext): Promise<Tenant> {
  const user = await requireUser(request, context, params)
  return resolveTenant({ user, scope: null }, { slug: params.org ?? '' }, request, context)
}

/** The caller's organizations for the page header's switcher: read by the request's opening, else looked up. */
export async function organizationSwitcher(tenant: Tenant, context: AppLoadContext): Promise<{ slug: string; name: string }[]> {
  const opened = await openedRequest(context)
  if (opened?.organizations) return opened.organizations
  return (await listMyOrganizations(tenant.actor)).map(({ slug, name }) => ({ slug, name }))
}

/** May the member do this here? Organization role plus grants on the scope and its ancestors (each decision traced at debug). */
export function can(tenant: Tenant, permission: Permission, scope: Scope = {}): boolean {
  const decision = decide(tenant.permissions, tenant.grants, permission, scope, tenant.actor.token?.permissions)
  tenant.logger.debug({ permission, scope, ...decision }, 'permission decision')
  return decision.allowed
}

/**
 * 403 (and an audit row) when the member may see this but not do it: in a
 * suspended organization, anything but looking. A permission granted is
 * remembered on the tenant, so that a failure after it is audited as `error`.
 */
export async function requirePermission(tenant: Tenant, permission: Permission, scope: Scope = {}): Promise<void> {
  if (can(tenant, permission, scope)) {
    tenant.permitted.push(permission)
    return
  }
  const [resourceType, resourceId] = scope.projectId
    ? ['project', scope.projectId]
    : scope.workspaceId
      ? ['workspace', scope.workspaceId]
      : ['organization', tenant.organization.id]
  const suspended = tenant.organization.status === 'suspended' && !isViewPermission(permission)
  const details = suspended ? { permission, reason: 'suspended' } : { permission }
  await recordDenial(tenant.actor, { action: 'permission.denied', resourceType, resourceId, details })
  if (suspended) throw refusal('ORGANIZATION_SUSPENDED', SUSPENDED_MESSAGE, { details: { permission } })
  const message = permission === '*' ? 'Only an owner can do this' : `You do not have the ${permission} permission here`
  throw refusal('FORBIDDEN', message, { details: { permission } })
}

/**
 * An action that passed its permission check and then failed unexpectedly
 * (the 500 of either door) leaves an `error` row in the audit log. The
 * request's transaction is gone with the failure, so the row is written in a
 * transaction of its own; a failure to write it is logged, never thrown.
 */
export async function recordRequestError(context: AppLoadContext, request: Request): Promise<void> {
  if (request.method === 'GET' || request.method === 'HEAD') return
  const tenant = await context.memo.get(RESOLVED)
  if (!isTenant(tenant) || tenant.permitted.length === 0) return
  const permission = tenant.permitted.at(-1)!
  const { request: _joined, ...actor } = tenant.actor
  await recordError(actor, {
    action: 'request.failed',
    resourceType: permission === '*' ? 'organization' : permission.split(':')[0]!,
    resourceId: tenant.organization.id,
    details: { permission, method: request.method, path: new URL(request.url).pathname, traceId: context.traceId },
  }).catch((error: unknown) => context.logger.error({ err: error }, 'could not record the failure in the audit log'))
}

/**
 * The 403 of a member who may see none of what they ask for: checked before
 * the lookup, so that a member without the view permission is told so
 * rather than shown a 404.
 */
async function requireSight(tenant: Tenant, sees: boolean, permission: Permission, scope: Scope = {}) {
  if (!sees) await requirePermission(tenant, permission, scope)
}

/** The organization's workspace list: for members who may see some workspace (organization-wide or through a grant). */
export function requireWorkspaceList(tenant: Tenant) {
  return requireSight(tenant, seesAnyWorkspace(tenant.permissions, tenant.grants), 'workspace:view')
}

/** A workspace's project list: project:view there, or a grant on a project inside it. */
export function requireProjectList(tenant: Tenant, workspaceId: string) {
  return requireSight(tenant, seesProjectsIn(tenant.permissions, tenant.grants, workspaceId), 'project:view', { workspaceId })
}

/** A workspace the lookup found: the database showed it, and the same rule in TypeScript must agree. */
export function requireVisibleWorkspace(tenant: Tenant, workspaceId: string) {
  return requireSight(tenant, seesWorkspace(tenant.permissions, tenant.grants, workspaceId), 'workspace:view', { workspaceId })
}
