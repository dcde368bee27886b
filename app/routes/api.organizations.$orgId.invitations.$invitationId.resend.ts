import { resend } from '~/access/invitations.server'
import { requirePermission } from '~/access/tenant.server'
import { apiData } from '~/api/envelope.server'
import { requireApiTenant } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'

const { loader, action } = apiRoute({
  /** A new link and a new week for a pending invitation, mailed again; the old link stops working. */
  async POST(args) {
    const tenant = await requireApiTenant(args)
    await requirePermission(tenant, 'member:invite')
    const { mailed, ...invitation } = await resend(tenant, args.params.invitationId ?? '', args.request, args.context)
    // The new link is saved either way: a provider failure is reported, not a 500.
    return apiData({ ...invitation, mail: mailed ? 'sent' : 'failed' })
  },
})
export { loader, action }
