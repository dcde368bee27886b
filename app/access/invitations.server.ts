/**
 * Invitations as both doors send them: the model's change, then the mail.
 * A provider that fails does not undo the invitation; the caller is told
 * (`mailed: false`) and "resend" mails it again.
 */
import type { AppLoadContext } from '@remix-run/node'
import { mailInvitation } from '~/mail/invitation.server'
import { createInvitation, resendInvitation } from '~/models/invitation.server'
import type { Tenant } from '~/models/tenant.server'
import { enforceEndpointLimit } from '~/rate-limit/guards.server'

function mail(tenant: Tenant, context: AppLoadContext, email: string, token: string) {
  return mailInvitation(context, { email, token, organizationName: tenant.organization.name, inviterName: tenant.user.name })
}

/** Saves an invitation with a role the inviter holds everything of, and mails its link. */
export async function invite(tenant: Tenant, input: { email: string; role: string }, context: AppLoadContext) {
  const { id, token } = await createInvitation(tenant.actor, tenant.permissions, input)
  const email = input.email.trim().toLowerCase()
  return { id, email, role: input.role, mailed: await mail(tenant, context, email, token) }
}

/** A new link for a pending invitation, mailed; each resend counts against the organization's invite allowance. */
export async function resend(tenant: Tenant, invitationId: string, request: Request, context: AppLoadContext) {
  await enforceEndpointLimit(tenant, 'invite', request, context)
  const { email, role, token } = await resendInvitation(tenant.actor, invitationId)
  return { id: invitationId, email, role, mailed: await mail(tenant, context, email, token) }
}
