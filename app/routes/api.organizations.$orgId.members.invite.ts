import { invite } from '~/access/invitations.server'
import { requirePermission } from '~/access/tenant.server'
import { readBody } from '~/api/body.server'
import { apiCreated } from '~/api/envelope.server'
import { requireApiTenant } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { InvitationBody } from '~/api/schemas.server'
import { enforceEndpointLimit } from '~/rate-limit/guards.server'

const { loader, action } = apiRoute({
  /** Mails a single-use invitation to join with a role the inviter holds everything of; the link never comes back here. */
  async POST(args) {
    const tenant = await requireApiTenant(args)
    await requirePermission(tenant, 'member:invite')
    await enforceEndpointLimit(tenant, 'invite', args.request, args.context)
    const input = await readBody(args.request, InvitationBody)
    const { mailed, ...invitation } = await invite(tenant, input, args.context)
    // Saved either way: a provider failure is reported, not a 500.
    return apiCreated({ ...invitation, mail: mailed ? 'sent' : 'failed' }, `/api/organizations/${tenant.organization.id}/invitations`)
  },
})
export { loader, action }
