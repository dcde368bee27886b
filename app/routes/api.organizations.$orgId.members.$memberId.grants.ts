import { memberOf } from '~/access/resources.server'
import { readBody } from '~/api/body.server'
import { apiCreated } from '~/api/envelope.server'
import { apiSlice, parseApiListQuery } from '~/api/pagination.server'
import { presentGrant } from '~/api/present.server'
import { requireApiTenant } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { GrantBody } from '~/api/schemas.server'
import { addGrant } from '~/models/grant.server'
import { findMember } from '~/models/member.server'

const { loader, action } = apiRoute({
  /** The roles the member holds on single workspaces or projects, by the resource's name. */
  async GET(args) {
    const tenant = await requireApiTenant(args)
    const member = await memberOf(tenant, args.params.memberId ?? '')
    const grants = [...member.grants].sort((a, b) => a.resourceName.localeCompare(b.resourceName))
    return apiSlice(args.request, grants, parseApiListQuery(args.request, ['name']), presentGrant)
  },

  /** Gives the member a role on one workspace or project (replacing the one they held there), as the member page does. */
  async POST(args) {
    const tenant = await requireApiTenant(args)
    const member = await memberOf(tenant, args.params.memberId ?? '', 'member:update')
    const grant = await readBody(args.request, GrantBody)
    const grantId = await addGrant(tenant.actor, tenant.permissions, member.id, grant)
    const saved = (await findMember(tenant.actor, member.id))?.grants.find((g) => g.id === grantId)
    return apiCreated(
      saved ? presentGrant(saved) : { id: grantId },
      `/api/organizations/${tenant.organization.id}/members/${member.id}/grants/${grantId}`,
    )
  },
})
export { loader, action }
