import { requirePermission } from '~/access/tenant.server'
import { readBody } from '~/api/body.server'
import { apiCreated } from '~/api/envelope.server'
import { requireApiTenant } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { InvitationBody } from '~/api/schemas.server'
import { mailInvitation } from '~/mail/invitation.server'
import { createInvitation } from '~/models/invitation.server'
import { enforceEndpointLimit } from '~/rate-limit/guards.server'

export const { loader, action } = apiRoute({
  /** Mails a single-use invitation to join with a role the inviter holds everything of; the link never comes back here. */
  async POST(args) {
    const tenant = await requireApiTenant(args)
    await requirePermission(tenant, 'member:invite')
    await enforceEndpointLimit(tenant, 'invite', args.request, args.context)
    const input = await readBody(args.request, InvitationBody)
    const { id, token } = await createInvitation(tenant.actor, tenant.permissions, input)
    const mailed = await mailInvitation(args.context, {
      email: input.email,
      token,
      organizationName: tenant.organization.name,
      inviterName: tenant.user.name,
    })
    // Saved either way: a provider failure is reported, not a 500. Invitees show up among the members once they accept.
    const invitation = { id, email: input.email.toLowerCase(), role: input.role, mail: mailed ? 'sent' : 'failed' }
    return apiCreated(invitation, `/api/organizations/${tenant.organization.id}/members`)
  },
})
