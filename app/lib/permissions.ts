/**
 * The permission catalog and the one rule for inheritance, shared by the
 * server (requirePermission) and the UI (what to show). Its SQL twin is
 * auth.permits() in db/migrations; a property test keeps the two equal.
 */
export const PERMISSIONS = {
  'organization:view': { label: 'View organization', description: 'See the organization and its settings.' },
  'organization:manage': { label: 'Manage organization', description: 'Rename the organization, change its slug and settings.' },
  'organization:delete': { label: 'Delete organization', description: 'Delete the organization and everything in it.' },
  'workspace:view': { label: 'View workspaces', description: 'See workspaces and their details.' },
  'workspace:create': { label: 'Create workspaces', description: 'Add new workspaces.' },
  'workspace:update': { label: 'Edit workspaces', description: 'Rename and edit workspaces.' },
  'workspace:delete': { label: 'Delete workspaces', description: 'Delete workspaces and their projects.' },
  'project:view': { label: 'View projects', description: 'See projects and their details.' },
  'project:create': { label: 'Create projects', description: 'Add new projects to workspaces.' },
  'project:update': { label: 'Edit projects', description: 'Edit, archive and restore projects.' },
  'project:delete': { label: 'Delete projects', description: 'Delete projects.' },
  'member:view': { label: 'View members', description: 'See who belongs to the organization.' },
  'member:invite': { label: 'Invite members', description: 'Invite people and manage pending invitations.' },
  'member:update': { label: 'Update members', description: 'Change roles, suspend and reactivate members.' },
  'member:remove': { label: 'Remove members', description: 'Remove people from the organization.' },
  'role:view': { label: 'View roles', description: 'See roles and their permissions.' },
  'role:manage': { label: 'Manage roles', description: 'Create, edit and delete custom roles.' },
  'audit:view': { label: 'View audit log', description: 'Read the organization audit log.' },
  'security:view': { label: 'View security events', description: 'Read security events for the organization.' },
  'settings:manage': { label: 'Manage settings', description: 'Change limits and other organization settings.' },
} as const

export type CatalogPermission = keyof typeof PERMISSIONS
export type Permission = CatalogPermission | '*'
export const CATALOG: readonly CatalogPermission[] = Object.keys(PERMISSIONS) as CatalogPermission[]

/** Actions that imply a lower one on the same resource: delete ⇒ update ⇒ view, manage ⇒ view. */
const IMPLIED_BY: Record<string, readonly string[]> = {
  view: ['update', 'delete', 'manage'],
  update: ['delete'],
}

/** Does a set of held permissions satisfy `required`? Never upward: update does not give delete. */
export function permits(held: readonly string[], required: string): boolean {
  if (held.includes('*') || held.includes(required)) return true
  const [resource, action = ''] = required.split(':')
  return (IMPLIED_BY[action] ?? []).some((higher) => held.includes(`${resource}:${higher}`))
}

/** Does `held` cover every one of `required`? Nobody hands out, edits or takes away more than this. Mirrors auth.holds_all(). */
export function holdsAll(held: readonly string[], required: readonly string[]): boolean {
  return required.every((permission) => permits(held, permission))
}

/** A role held on one workspace or one project, on top of the organization role. */
export interface ScopedGrant {
  workspaceId: string | null
  projectId: string | null
  /** A project grant's workspace (which the grant lets its holder name); null for workspace grants. */
  inWorkspaceId?: string | null
  permissions: readonly string[]
}

/** Where a check happens: the organization, one workspace, or one project (and its workspace). */
export interface Scope {
  workspaceId?: string
  projectId?: string
}

/**
 * Where deleting a workspace is checked. Deleting the default makes another
 * workspace the default, so it takes workspace:delete organization-wide.
 */
export function workspaceDeletionScope(workspace: { id: string; is_default: boolean }): Scope {
  return workspace.is_default ? {} : { workspaceId: workspace.id }
}

/** The grants that apply at a scope: those on the resource itself and on its ancestors. */
export function grantsAt(grants: readonly ScopedGrant[], scope: Scope): ScopedGrant[] {
  return grants.filter((g) => (scope.workspaceId && g.workspaceId === scope.workspaceId) || (scope.projectId && g.projectId === scope.projectId))
}

/** Organization role plus applicable grants: the same union auth.has_permission() takes in SQL. */
export function permitsAt(orgPermissions: readonly string[], grants: readonly ScopedGrant[], required: string, scope: Scope = {}) {
  return permits([...orgPermissions, ...grantsAt(grants, scope).flatMap((g) => g.permissions)], required)
}

/** Where an answer of permitsAt() comes from: the organization role, a scoped grant, or (refused) the token's scope or nothing held. */
export interface Decision {
  allowed: boolean
  source: 'role' | 'grant' | 'token-scope' | 'none'
  /** The grant that allowed it. */
  grant?: { workspaceId: string | null; projectId: string | null }
}

/**
 * permitsAt() with its reason, for the permission trace (LOG_LEVEL=debug).
 * `tokenPermissions` is the scope of the token the member acts with, which
 * has already narrowed what they hold: a refusal is the token's when the
 * scope lacks the permission.
 */
export function decide(
  orgPermissions: readonly string[],
  grants: readonly ScopedGrant[],
  required: string,
  scope: Scope = {},
  tokenPermissions?: readonly string[] | null,
): Decision {
  if (permits(orgPermissions, required)) return { allowed: true, source: 'role' }
  const grant = grantsAt(grants, scope).find((g) => permits(g.permissions, required))
  if (grant) return { allowed: true, source: 'grant', grant: { workspaceId: grant.workspaceId, projectId: grant.projectId } }
  return { allowed: false, source: tokenPermissions && !permits(tokenPermissions, required) ? 'token-scope' : 'none' }
}

/*
 * What a member may see. Viewing takes a permission like anything else; a
 * member whose role lacks it sees only what scoped grants open. The same rules
 * as the workspaces and projects read policies (auth.granted_workspace_ids()).
 */

/** May the member list this workspace's projects: project:view there, or a grant on a project inside it. */
export function seesProjectsIn(orgPermissions: readonly string[], grants: readonly ScopedGrant[], workspaceId: string) {
  return (
    permitsAt(orgPermissions, grants, 'project:view', { workspaceId }) ||
    grants.some((g) => g.inWorkspaceId === workspaceId && permits(g.permissions, 'project:view'))
  )
}

/** May the member see this workspace: workspace:view there, or the right to see projects in it (which shows its name). */
export function seesWorkspace(orgPermissions: readonly string[], grants: readonly ScopedGrant[], workspaceId: string) {
  return permitsAt(orgPermissions, grants, 'workspace:view', { workspaceId }) || seesProjectsIn(orgPermissions, grants, workspaceId)
}

/** May the member see any workspace at all: organization-wide, or through a grant. */
export function seesAnyWorkspace(orgPermissions: readonly string[], grants: readonly ScopedGrant[]) {
  const seesThrough = (held: readonly string[]) => permits(held, 'workspace:view') || permits(held, 'project:view')
  return seesThrough(orgPermissions) || grants.some((g) => seesThrough(g.permissions))
}

/**
 * The view permissions a set lacks for what it creates: a new row its creator
 * may not read would fail on the read-back of the insert. Roles and token
 * scopes are refused with these missing.
 */
export function unseenCreations(held: readonly string[]): CatalogPermission[] {
  return held
    .filter((p) => p.endsWith(':create'))
    .map((p) => p.replace(/:create$/, ':view') as CatalogPermission)
    .filter((view) => view in PERMISSIONS && !permits(held, view))
}

/** The refusal for a set with unseenCreations(): names the permissions to add. */
export function unseenCreationsMessage(missing: readonly CatalogPermission[]) {
  return `Whoever creates must also see what they create: add ${missing.map((p) => PERMISSIONS[p].label).join(', ')}`
}

/** Every catalog permission a set of held permissions amounts to. */
export function effectivePermissions(held: readonly string[]): CatalogPermission[] {
  return CATALOG.filter((p) => permits(held, p))
}

/** Does the permission only let its holder look? The one kind a suspended organization keeps. */
export const isViewPermission = (permission: string) => permission.endsWith(':view')

export const SUSPENDED_MESSAGE = 'This organization is suspended: it is read-only until an operator of this service reactivates it'

/**
 * What a set amounts to in a suspended organization: its view permissions
 * alone. Mirrors the organization check in auth.token_allows().
 */
export function viewOnly(held: readonly string[]): CatalogPermission[] {
  return effectivePermissions(held).filter(isViewPermission)
}

/**
 * How broad a role is, for choosing the narrowest one a form offers first:
 * the number of catalog permissions it amounts to.
 */
export const breadth = (held: readonly string[]) => effectivePermissions(held).length

export interface RoleDefinition {
  key: string
  name: string
  description: string
  permissions: readonly string[]
}

export const BUILTIN_ROLES: readonly RoleDefinition[] = [
  { key: 'owner', name: 'Owner', description: 'Full control, including deleting the organization.', permissions: ['*'] },
  {
    key: 'admin',
    name: 'Admin',
    description: 'Manages the organization, its members, workspaces and projects.',
    permissions: CATALOG.filter((p) => p !== 'organization:delete'),
  },
  {
    key: 'member',
    name: 'Member',
    description: 'Sees the organization, its workspaces and projects; creates projects.',
    permissions: ['organization:view', 'workspace:view', 'project:view', 'project:create'],
  },
]

/** Where a permission comes from: the organization role, or a role held on one workspace or project. */
export interface PermissionOrigin {
  role: string
  roleName: string
  /** Null for the organization role. */
  workspaceId: string | null
  projectId: string | null
  resourceName: string | null
}

export interface PermissionSource {
  permission: CatalogPermission
  sources: PermissionOrigin[]
}

/** What a member holds, and through which role and grant: the permission tracer's input. */
export interface HeldRoles {
  role: string
  roleName: string
  rolePermissions: readonly string[]
  grants: readonly {
    role: string
    roleName: string
    permissions: readonly string[]
    workspaceId: string | null
    projectId: string | null
    resourceName: string
  }[]
}

/**
 * What a grant can give: permissions on its own kind of resource and below
 * (grantsAt() applies it there and nowhere else). An admin role held on one
 * project manages that project, not the organization.
 */
const GRANT_REACH = { workspace: ['workspace:', 'project:'], project: ['project:'] } as const

/**
 * The permission tracer: each permission the member holds organization-wide or
 * through a grant, with where it comes from.
 */
export function tracePermissions(member: HeldRoles): PermissionSource[] {
  const sources = new Map<CatalogPermission, PermissionOrigin[]>()
  const add = (held: readonly string[], origin: PermissionOrigin, reach?: readonly string[]) => {
    for (const p of effectivePermissions(held)) {
      if (!reach || reach.some((prefix) => p.startsWith(prefix))) sources.set(p, [...(sources.get(p) ?? []), origin])
    }
  }
  add(member.rolePermissions, { role: member.role, roleName: member.roleName, workspaceId: null, projectId: null, resourceName: null })
  for (const g of member.grants) {
    const origin = { role: g.role, roleName: g.roleName, workspaceId: g.workspaceId, projectId: g.projectId, resourceName: g.resourceName }
    add(g.permissions, origin, GRANT_REACH[g.workspaceId ? 'workspace' : 'project'])
  }
  return [...sources].map(([permission, from]) => ({ permission, sources: from }))
}

/** A source in words, as the member page shows it. */
export function describeOrigin(origin: PermissionOrigin): string {
  if (origin.workspaceId) return `${origin.roleName} role on workspace “${origin.resourceName}”`
  if (origin.projectId) return `${origin.roleName} role on project “${origin.resourceName}”`
  return `${origin.roleName} role (organization-wide)`
}
