import { requirePermission } from '~/access/tenant.server'
import { apiNoContent } from '~/api/envelope.server'
import { requireApiTenant } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { revokeInvitation } from '~/models/invitation.server'

const { loader, action } = apiRoute({
  /** Revokes a pending invitation: its link stops working. 404 once it is accepted or revoked. */
  async DELETE(args) {
    const tenant = await requireApiTenant(args)
    await requirePermission(tenant, 'member:invite')
    await revokeInvitation(tenant.actor, args.params.invitationId ?? '')
    return apiNoContent()
  },
})
export { loader, action }
