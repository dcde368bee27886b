/**
 * Model records as the API shows them, in camelCase. Fields are picked one by
 * one, so that nothing a model adds later (a hash, a setting) leaks by default.
 */
import { PERMISSIONS, type PermissionSource } from '~/lib/permissions'
import type { AuditLogEntry } from '~/models/audit.server'
import type { PendingInvitation } from '~/models/invitation.server'
import type { Grant, Member } from '~/models/member.server'
import type { Project } from '~/models/project.server'
import type { Role } from '~/models/role.server'
import type { Membership, Tenant } from '~/models/tenant.server'
import type { Workspace } from '~/models/workspace.server'

export function presentUser(user: { id: string; email: string; name: string }) {
  return { id: user.id, email: user.email, name: user.name }
}

export function presentMembership(
  m: Pick<Membership, 'organizationId' | 'organizationName' | 'organizationSlug' | 'organizationStatus' | 'role' | 'roleName'>,
) {
  return {
    id: m.organizationId,
    name: m.organizationName,
    slug: m.organizationSlug,
    status: m.organizationStatus,
    role: m.role,
    roleName: m.roleName,
  }
}

export function presentTenant({ organization, membership }: Pick<Tenant, 'organization' | 'membership'>) {
  return {
    id: organization.id,
    name: organization.name,
    slug: organization.slug,
    status: organization.status,
    role: membership.role,
    roleName: membership.roleName,
  }
}

export function presentWorkspace(w: Workspace & { project_count?: number }) {
  return {
    id: w.id,
    organizationId: w.organization_id,
    name: w.name,
    slug: w.slug,
    description: w.description,
    icon: w.icon,
    color: w.color,
    isDefault: w.is_default,
    createdAt: w.created_at,
    updatedAt: w.updated_at,
    ...(w.project_count === undefined ? {} : { projectCount: w.project_count }),
  }
}

export function presentProject(p: Project) {
  return {
    id: p.id,
    organizationId: p.organization_id,
    workspaceId: p.workspace_id,
    name: p.name,
    slug: p.slug,
    description: p.description,
    status: p.status,
    createdAt: p.created_at,
    updatedAt: p.updated_at,
  }
}

export function presentMember(m: Member) {
  return {
    id: m.id,
    userId: m.userId,
    name: m.name,
    email: m.email,
    role: m.role,
    roleName: m.roleName,
    status: m.status,
    joinedAt: m.joinedAt,
    grants: m.grants.map(presentGrant),
  }
}

export function presentGrant(g: Grant) {
  return { id: g.id, role: g.role, roleName: g.roleName, workspaceId: g.workspaceId, projectId: g.projectId, resourceName: g.resourceName }
}

export function presentPendingInvitation(i: PendingInvitation) {
  return { id: i.id, email: i.email, role: i.role, roleName: i.roleName, invitedBy: i.invitedBy, expiresAt: i.expiresAt, createdAt: i.createdAt }
}

export function presentPermissionTrace(memberId: string, trace: readonly PermissionSource[]) {
  return {
    memberId,
    permissions: trace.map(({ permission, sources }) => ({
      permission,
      label: PERMISSIONS[permission].label,
      sources: sources.map((s) => ({ ...s, scope: s.workspaceId ? 'workspace' : s.projectId ? 'project' : 'organization' })),
    })),
  }
}

export function presentRole(r: Role & { holders?: number }) {
  return {
    id: r.id,
    key: r.key,
    name: r.name,
    description: r.description,
    permissions: r.permissions,
    isBuiltin: r.is_builtin,
    ...(r.holders === undefined ? {} : { holders: r.holders }),
  }
}

export function presentAuditLog(e: AuditLogEntry) {
  return {
    id: e.id,
    action: e.action,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
    result: e.result,
    details: e.details,
    actor: e.userId === null ? null : { id: e.userId, name: e.userName, email: e.userEmail },
    ipAddress: e.ipAddress,
    userAgent: e.userAgent,
    createdAt: e.createdAt,
  }
}
