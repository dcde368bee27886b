import { requirePermission } from '~/access/tenant.server'
import { apiNoContent } from '~/api/envelope.server'
import { requireApiTenant } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { removeMember } from '~/models/member.server'

export const { loader, action } = apiRoute({
  /** Removes someone from the organization: never oneself, never someone holding more than the caller, never the last owner (409). */
  async DELETE(args) {
    const tenant = await requireApiTenant(args)
    await requirePermission(tenant, 'member:remove')
    // The model answers NOT_FOUND (404) for a member that is not there.
    await removeMember(tenant.actor, tenant.permissions, args.params.memberId ?? '')
    return apiNoContent()
  },
})
