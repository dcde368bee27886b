import { requirePermission } from '~/access/tenant.server'
import { mergePatch, readBody } from '~/api/body.server'
import { apiData, apiNoContent } from '~/api/envelope.server'
import { presentTenant } from '~/api/present.server'
import { requireApiTenant } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { UpdateOrganizationBody } from '~/api/schemas.server'
import { OrganizationSettingsSchema } from '~/lib/validation'
import { deleteOrganization, updateOrganization } from '~/models/organization.server'

const { loader, action } = apiRoute({
  async GET(args) {
    const tenant = await requireApiTenant(args)
    await requirePermission(tenant, 'organization:view')
    return apiData(presentTenant(tenant))
  },

  /** Renames the organization and/or changes its slug; the fields left out keep their value. */
  async PATCH(args) {
    const tenant = await requireApiTenant(args)
    await requirePermission(tenant, 'organization:manage')
    const { name, slug } = tenant.organization
    const input = mergePatch(OrganizationSettingsSchema, { name, slug }, await readBody(args.request, UpdateOrganizationBody))
    const updated = await updateOrganization(tenant.actor, input)
    return apiData(presentTenant({ ...tenant, organization: { ...tenant.organization, name: input.name, slug: updated.slug } }))
  },

  /** Deletes the organization with everything in it. */
  async DELETE(args) {
    const tenant = await requireApiTenant(args)
    await requirePermission(tenant, 'organization:delete')
    await deleteOrganization(tenant.actor, tenant.organization.name)
    return apiNoContent()
  },
})
export { loader, action }
