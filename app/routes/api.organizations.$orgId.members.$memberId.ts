import { requireApiTenant } from '~/api/auth.server'
import { apiNoContent, notFound } from '~/api/envelope.server'
import { apiRoute } from '~/api/route.server'
import { findMember, removeMember } from '~/models/member.server'
import { requirePermission } from '~/utils/tenant.server'

export const { loader, action } = apiRoute({
  /** Removes someone from the organization: never oneself, never someone holding more than the caller, never the last owner (409). */
  async DELETE(args) {
    const tenant = await requireApiTenant(args)
    const member = await findMember(tenant.actor, args.params.memberId ?? '')
    if (!member) throw notFound('Member not found')
    await requirePermission(tenant, 'member:remove')
    await removeMember(tenant.actor, tenant.permissions, member.id)
    return apiNoContent()
  },
})
