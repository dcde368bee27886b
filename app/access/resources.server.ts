/**
 * The things inside an organization a request names — a workspace, a
 * project, a member, a role — resolved for a tenant the same way on both
 * doors: pages name them by slug (`$ws`, `$project`) or id, the API by id.
 * Each is looked up once per request; 403 when the tenant may not see such
 * things at all, 404 when this one is not there (or not theirs).
 */
import type { AppLoadContext } from '@remix-run/node'
import { openedRequest } from '~/auth/opening.server'
import { notFound } from '~/lib/errors'
import type { Permission } from '~/lib/permissions'
import { memoize } from '~/lib/request-context'
import { findMember } from '~/models/member.server'
import { findProject, findProjectById, type Project } from '~/models/project.server'
import { findRole } from '~/models/role.server'
import type { Tenant } from '~/models/tenant.server'
import { findWorkspace, findWorkspaceById, type Workspace } from '~/models/workspace.server'
import { requirePermission, requireProjectList, requireTenant, requireVisibleWorkspace, requireWorkspaceList } from './tenant.server'

export type ResourceRef = { slug: string } | { id: string }

const refKey = (ref: ResourceRef | undefined) => (!ref ? '' : 'slug' in ref ? `slug:${ref.slug}` : `id:${ref.id.toLowerCase()}`)

/** What the request's opening read for this reference in the tenant's organization, if it read it (undefined: look it up). */
async function opened<K extends 'workspace' | 'project'>(tenant: Tenant, kind: K, ref: ResourceRef, context: AppLoadContext) {
  const opening = await openedRequest(context)
  const read = opening && opening.membership?.organizationId === tenant.organization.id && refKey(opening.refs[kind]) === refKey(ref)
  return read ? opening[kind] : undefined
}

/** The workspace `ref` names in the tenant's organization, if the tenant may see it. */
export async function workspaceOf(tenant: Tenant, ref: ResourceRef, context: AppLoadContext): Promise<Workspace> {
  await requireWorkspaceList(tenant)
  const workspace = await memoize(
    context,
    `workspace:${tenant.organization.id}:${refKey(ref)}`,
    async () =>
      (await opened(tenant, 'workspace', ref, context)) ??
      ('slug' in ref ? findWorkspace(tenant.actor, ref.slug) : findWorkspaceById(tenant.actor, ref.id)),
  )
  if (!workspace) throw notFound('Workspace not found')
  await requireVisibleWorkspace(tenant, workspace.id)
  return workspace
}

/** The project `ref` names in the workspace, if the tenant may see it. */
export async function projectOf(tenant: Tenant, workspace: Workspace, ref: ResourceRef, context: AppLoadContext): Promise<Project> {
  await requireProjectList(tenant, workspace.id)
  const project = await memoize(
    context,
    `project:${workspace.id}:${refKey(ref)}`,
    async () =>
      (await opened(tenant, 'project', ref, context)) ??
      ('slug' in ref ? findProject(tenant.actor, workspace.id, ref.slug) : findProjectById(tenant.actor, workspace.id, ref.id)),
  )
  if (!project) throw notFound('Project not found')
  await requirePermission(tenant, 'project:view', { workspaceId: workspace.id, projectId: project.id })
  return project
}

/** The member `memberId` names, for a tenant holding `permission` (member:view to look, more to change). */
export async function memberOf(tenant: Tenant, memberId: string, permission: Permission = 'member:view') {
  await requirePermission(tenant, permission)
  const member = await findMember(tenant.actor, memberId)
  if (!member) throw notFound('Member not found')
  return member
}

/** A custom role, for a tenant with role:manage; built-in roles are not edited here. */
export async function customRoleOf(tenant: Tenant, roleId: string) {
  await requirePermission(tenant, 'role:manage')
  const role = await findRole(tenant.actor, roleId)
  if (!role || role.is_builtin) throw notFound('Role not found')
  return role
}

// ------------------------------------------------------------------ the page door

/** The `$ws` workspace of the `$org` organization. */
export async function requireWorkspace(request: Request, params: { org?: string; ws?: string }, context: AppLoadContext) {
  const tenant = await requireTenant(request, params, context)
  const workspace = await workspaceOf(tenant, { slug: params.ws ?? '' }, context)
  return { tenant, workspace, actor: tenant.actor }
}

/** The `$project` of the `$ws` workspace. */
export async function requireProject(request: Request, params: { org?: string; ws?: string; project?: string }, context: AppLoadContext) {
  const scope = await requireWorkspace(request, params, context)
  const project = await projectOf(scope.tenant, scope.workspace, { slug: params.project ?? '' }, context)
  return { ...scope, project }
}
