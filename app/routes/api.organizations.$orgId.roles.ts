import { requirePermission } from '~/access/tenant.server'
import { readBody } from '~/api/body.server'
import { apiCreated } from '~/api/envelope.server'
import { apiSlice, parseApiListQuery } from '~/api/pagination.server'
import { presentRole } from '~/api/present.server'
import { requireApiTenant } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { RoleBody } from '~/api/schemas.server'
import { createRole, listRoles } from '~/models/role.server'

const { loader, action } = apiRoute({
  /** Built-in roles first, then custom ones by name, each with how many hold it. */
  async GET(args) {
    const tenant = await requireApiTenant(args)
    await requirePermission(tenant, 'role:view')
    const query = parseApiListQuery(args.request, ['name'])
    return apiSlice(args.request, await listRoles(tenant.actor), query, presentRole)
  },

  /** Creates a custom role with permissions the caller holds. */
  async POST(args) {
    const tenant = await requireApiTenant(args)
    await requirePermission(tenant, 'role:manage')
    const role = await createRole(tenant.actor, tenant.permissions, await readBody(args.request, RoleBody))
    return apiCreated(presentRole(role), `/api/organizations/${tenant.organization.id}/roles/${role.id}`)
  },
})
export { loader, action }
