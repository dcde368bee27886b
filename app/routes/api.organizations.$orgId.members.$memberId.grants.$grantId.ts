import { memberOf } from '~/access/resources.server'
import { apiNoContent } from '~/api/envelope.server'
import { requireApiTenant } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { removeGrant } from '~/models/grant.server'

const { loader, action } = apiRoute({
  /** Takes a grant away: only one whose role is within the caller's permissions. */
  async DELETE(args) {
    const tenant = await requireApiTenant(args)
    const member = await memberOf(tenant, args.params.memberId ?? '', 'member:update')
    await removeGrant(tenant.actor, tenant.permissions, member.id, args.params.grantId ?? '')
    return apiNoContent()
  },
})
export { loader, action }
