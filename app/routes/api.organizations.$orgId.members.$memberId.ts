import { memberOf } from '~/access/resources.server'
import { requirePermission } from '~/access/tenant.server'
import { readBody } from '~/api/body.server'
import { apiData, apiNoContent } from '~/api/envelope.server'
import { presentMember } from '~/api/present.server'
import { requireApiTenant } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { MemberStatusBody } from '~/api/schemas.server'
import { findMember, removeMember, setMemberStatus } from '~/models/member.server'

const { loader, action } = apiRoute({
  /** One member with their organization role and scoped grants. */
  async GET(args) {
    const tenant = await requireApiTenant(args)
    return apiData(presentMember(await memberOf(tenant, args.params.memberId ?? '')))
  },

  /** Suspends or reactivates a member, as the member page does: never oneself, never someone above the caller, never the last owner. */
  async PATCH(args) {
    const tenant = await requireApiTenant(args)
    const member = await memberOf(tenant, args.params.memberId ?? '', 'member:update')
    const { status } = await readBody(args.request, MemberStatusBody)
    await setMemberStatus(tenant.actor, tenant.permissions, member.id, status)
    return apiData(presentMember((await findMember(tenant.actor, member.id)) ?? member))
  },

  /** Removes someone from the organization: never oneself, never someone holding more than the caller, never the last owner (409). */
  async DELETE(args) {
    const tenant = await requireApiTenant(args)
    await requirePermission(tenant, 'member:remove')
    // The model answers NOT_FOUND (404) for a member that is not there.
    await removeMember(tenant.actor, tenant.permissions, args.params.memberId ?? '')
    return apiNoContent()
  },
})
export { loader, action }
