import type { AppLoadContext } from '@remix-run/node'
import { secretLink } from '~/lib/paths'
import { appLink, sendEmail } from './mailer.server'

/** The invitation email, with its single-use link. */
export function sendInvitationEmail(
  context: AppLoadContext,
  invitation: { email: string; token: string; organizationName: string; inviterName: string },
) {
  const link = appLink(secretLink('invitation', invitation.token))
  return sendEmail(
    {
      to: invitation.email,
      subject: `${invitation.inviterName} invited you to ${invitation.organizationName} on NextSaaS`,
      text: `${invitation.inviterName} invited you to join ${invitation.organizationName}.\n\nAccept the invitation: ${link}\n\nThe link works once and expires in 7 days.`,
    },
    context.logger,
  )
}

/**
 * Mails the invitation once it is saved. A failing mail provider is logged and
 * answered with false: the invitation stands, and "Resend" mails it again.
 */
export async function mailInvitation(context: AppLoadContext, invitation: Parameters<typeof sendInvitationEmail>[1]): Promise<boolean> {
  try {
    await sendInvitationEmail(context, invitation)
    return true
  } catch (error) {
    context.logger.error({ err: error }, 'invitation mail failed')
    return false
  }
}
