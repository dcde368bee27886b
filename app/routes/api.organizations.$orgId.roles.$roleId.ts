import { requirePermission } from '~/access/tenant.server'
import { mergePatch, readBody } from '~/api/body.server'
import { apiData, apiNoContent } from '~/api/envelope.server'
import { parseApiQuery } from '~/api/pagination.server'
import { presentRole } from '~/api/present.server'
import { requireApiTenant } from '~/api/principal.server'
import { apiRoute, type ApiArgs } from '~/api/route.server'
import { RoleDeletionQuery, RolePatchBody } from '~/api/schemas.server'
import { notFound } from '~/lib/errors'
import { RoleSchema } from '~/lib/validation'
import { deleteRole, findRole, updateRole } from '~/models/role.server'

async function roleOf(args: ApiArgs, permission: 'role:view' | 'role:manage') {
  const tenant = await requireApiTenant(args)
  await requirePermission(tenant, permission)
  const role = await findRole(tenant.actor, args.params.roleId ?? '')
  if (!role) throw notFound('Role not found')
  return { tenant, role }
}

const { loader, action } = apiRoute({
  async GET(args) {
    const { role } = await roleOf(args, 'role:view')
    return apiData(presentRole(role))
  },

  /** Edits a custom role: the caller must hold every permission it has before and after (403 ESCALATION), never a built-in one (403 BUILTIN). */
  async PATCH(args) {
    const { tenant, role } = await roleOf(args, 'role:manage')
    const current = { name: role.name, description: role.description, permissions: role.permissions }
    const input = mergePatch(RoleSchema, current, await readBody(args.request, RolePatchBody))
    return apiData(presentRole(await updateRole(tenant.actor, tenant.permissions, role.id, input)))
  },

  /** Deletes a custom role; when people hold it, `?reassignTo=<role key>` gives them that role instead (409 IN_USE without it). */
  async DELETE(args) {
    const { tenant, role } = await roleOf(args, 'role:manage')
    const { reassignTo } = parseApiQuery(args.request, RoleDeletionQuery)
    await deleteRole(tenant.actor, tenant.permissions, role.id, reassignTo)
    return apiNoContent()
  },
})
export { loader, action }
