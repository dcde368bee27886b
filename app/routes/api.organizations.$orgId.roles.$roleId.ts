import { requirePermission } from '~/access/tenant.server'
import { apiData } from '~/api/envelope.server'
import { presentRole } from '~/api/present.server'
import { requireApiTenant } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { notFound } from '~/lib/errors'
import { findRole } from '~/models/role.server'

export const { loader, action } = apiRoute({
  async GET(args) {
    const tenant = await requireApiTenant(args)
    await requirePermission(tenant, 'role:view')
    const role = await findRole(tenant.actor, args.params.roleId ?? '')
    if (!role) throw notFound('Role not found')
    return apiData(presentRole(role))
  },
})
