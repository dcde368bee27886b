import { requirePermission } from '~/access/tenant.server'
import { apiSlice, parseApiListQuery } from '~/api/pagination.server'
import { presentPendingInvitation } from '~/api/present.server'
import { requireApiTenant } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { listPendingInvitations } from '~/models/invitation.server'

const { loader, action } = apiRoute({
  /** Invitations not yet accepted or revoked, newest first (expired ones included, until resent or revoked). */
  async GET(args) {
    const tenant = await requireApiTenant(args)
    await requirePermission(tenant, 'member:invite')
    const query = parseApiListQuery(args.request, ['recent'])
    return apiSlice(args.request, await listPendingInvitations(tenant.actor), query, presentPendingInvitation)
  },
})
export { loader, action }
