import { breadth, holdsAll } from '~/lib/permissions'
import { listRoles } from '~/models/role.server'
import type { Tenant } from '~/models/tenant.server'

/**
 * The roles a member may hand out (invite with, grant, reassign to): only
 * those within their own permissions, narrowest first — what a form offers
 * first is the least it can give.
 */
export async function grantableRoles(tenant: Tenant) {
  const roles = await listRoles(tenant.actor)
  return roles
    .filter((r) => holdsAll(tenant.permissions, r.permissions))
    .map((r) => ({ key: r.key, name: r.name, breadth: breadth(r.permissions) }))
    .sort((a, b) => a.breadth - b.breadth)
    .map(({ key, name }) => ({ key, name }))
}
