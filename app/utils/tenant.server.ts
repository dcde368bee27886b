import type { AppLoadContext } from '@remix-run/node'
import { requireUser, type SessionUser } from '~/auth/session.server'
import { recordDenial } from '~/models/audit.server'
import type { Actor, TenantActor } from '~/models/db.server'
import { findProject } from '~/models/project.server'
import { findMembership, type Membership } from '~/models/tenant.server'
import { findWorkspace } from '~/models/workspace.server'
import { permitsAt, seesAnyWorkspace, seesProjectsIn, seesWorkspace, type Permission, type Scope, type ScopedGrant } from './permissions'
import { enforceTenantLimits } from './rate-limit.server'
import { memoize } from './request-context'

export interface Tenant {
  user: SessionUser
  organization: { id: string; name: string; slug: string }
  membership: { id: string; role: string; roleName: string }
  permissions: readonly string[]
  /** Roles held on single workspaces or projects. */
  grants: readonly ScopedGrant[]
  /** The actor for withTenant() and the audit log. */
  actor: TenantActor
}

export function notFound(message = 'Not found'): Response {
  return new Response(message, { status: 404, statusText: 'Not Found' })
}

export function toTenant(user: SessionUser, m: Membership, request: Request, context: AppLoadContext): Tenant {
  return {
    user,
    organization: { id: m.organizationId, name: m.organizationName, slug: m.organizationSlug },
    membership: { id: m.memberId, role: m.role, roleName: m.roleName },
    permissions: m.permissions,
    grants: m.grants,
    actor: {
      userId: user.id,
      organizationId: m.organizationId,
      role: m.role,
      ip: context.ip,
      userAgent: request.headers.get('user-agent') ?? undefined,
    },
  }
}

/**
 * Who is asking and in which organization: the `$org` param resolved to an
 * active membership, once per request. Anything else — no such organization,
 * someone else's, a suspended membership — is the same 404.
 */
export async function requireTenant(
  request: Request,
  params: { org?: string },
  context: AppLoadContext,
): Promise<Tenant> {
  const user = await requireUser(request, context)
  const slug = params.org ?? ''
  // Nested loaders share one resolution; a refusal is memoized as a Response
  // and thrown as a fresh copy each time, since a body can be read only once.
  const resolved = await memoize(context, `tenant:${slug}`, async (): Promise<Tenant | Response> => {
    const membership = await findMembership({ userId: user.id }, slug)
    if (!membership) return notFound('Organization not found')
    const tenant = toTenant(user, membership, request, context)
    try {
      await enforceTenantLimits(tenant, request, context)
    } catch (refusal) {
      if (refusal instanceof Response) return refusal
      throw refusal
    }
    return tenant
  })
  if (resolved instanceof Response) throw resolved.clone()
  return resolved
}

/** May the member do this here? Organization role plus grants on the scope and its ancestors. */
export function can(tenant: Tenant, permission: Permission, scope: Scope = {}): boolean {
  return permitsAt(tenant.permissions, tenant.grants, permission, scope)
}

/** 403 (and an audit row) when the member may see this but not do it. */
export async function requirePermission(tenant: Tenant, permission: Permission, scope: Scope = {}): Promise<void> {
  if (can(tenant, permission, scope)) return
  const [resourceType, resourceId] = scope.projectId
    ? ['project', scope.projectId]
    : scope.workspaceId
      ? ['workspace', scope.workspaceId]
      : ['organization', tenant.organization.id]
  await recordDenial(tenant.actor, {
    action: 'permission.denied',
    resourceType,
    resourceId,
    details: { permission },
  })
  throw new Response(`You do not have the ${permission} permission here`, { status: 403, statusText: 'Forbidden' })
}

/** The actor for user-level work outside any organization (listing, creating one). */
export function userActor(user: SessionUser, request: Request, context: AppLoadContext): Actor {
  return { userId: user.id, ip: context.ip, userAgent: request.headers.get('user-agent') ?? undefined }
}

/**
 * The 403 of a member who may see none of what they ask for: checked before
 * the lookup, so that a member without the view permission is told so
 * rather than shown a 404.
 */
async function requireSight(tenant: Tenant, sees: boolean, permission: Permission, scope: Scope = {}) {
  if (!sees) await requirePermission(tenant, permission, scope)
}

/** The organization's workspace list: for members who may see some workspace (org-wide or through a grant). */
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

/** The `$ws` workspace of the tenant, once per request; 403 without the right to see it, 404 when it is not there. */
export async function requireWorkspace(request: Request, params: { org?: string; ws?: string }, context: AppLoadContext) {
  const tenant = await requireTenant(request, params, context)
  await requireWorkspaceList(tenant)
  const workspace = await memoize(context, `workspace:${tenant.organization.id}:${params.ws}`, () =>
    findWorkspace(tenant.actor, params.ws ?? ''),
  )
  if (!workspace) throw notFound('Workspace not found')
  await requireVisibleWorkspace(tenant, workspace.id)
  return { tenant, workspace, actor: tenant.actor }
}

/** The `$project` of the `$ws` workspace, once per request; 403 without project:view there, 404 when it is not there. */
export async function requireProject(
  request: Request,
  params: { org?: string; ws?: string; project?: string },
  context: AppLoadContext,
) {
  const scope = await requireWorkspace(request, params, context)
  await requireProjectList(scope.tenant, scope.workspace.id)
  const project = await memoize(context, `project:${scope.workspace.id}:${params.project}`, () =>
    findProject(scope.actor, scope.workspace.id, params.project ?? ''),
  )
  if (!project) throw notFound('Project not found')
  await requirePermission(scope.tenant, 'project:view', { workspaceId: scope.workspace.id, projectId: project.id })
  return { ...scope, project }
}
