/**
 * The mail of the account flows: what each message says and where its link
 * points. Sending goes through the one mail adapter.
 */
import type { Logger } from 'pino'
import { secretLink } from '~/lib/paths'
import type { Client } from '~/lib/request-context'
import { TOKEN_LIFETIME_MS } from '~/models/account-token.server'
import { startPasswordReset, startEmailVerification, type Account } from '~/models/account.server'
import { appLink, sendEmail } from './mailer.server'

const hours = (ms: number) => (ms / 3_600_000 === 1 ? '1 hour' : `${ms / 3_600_000} hours`)

/**
 * Mails a reset link if an account has this address, and nothing otherwise.
 * Callers do not await it: the response must take the same time either way.
 */
export async function mailPasswordReset(email: string, client: Client, logger: Logger): Promise<void> {
  try {
    const reset = await startPasswordReset(email, client)
    if (!reset) return
    await sendEmail(
      {
        to: reset.account.email,
        subject: 'Reset your NextSaaS password',
        text: [
          `Hello ${reset.account.name},`,
          '',
          `Someone asked to reset the password of your NextSaaS account. To choose a new one, open this link within ${hours(TOKEN_LIFETIME_MS.reset_password)}:`,
          '',
          appLink(secretLink('resetPassword', reset.token)),
          '',
          'The link works once. If you did not ask for it, ignore this message: your password stays as it is.',
        ].join('\n'),
      },
      logger,
    )
  } catch (error) {
    logger.error({ err: error }, 'password reset mail failed')
  }
}

/** Mails a link that verifies the user's current address (nothing when it is verified already). */
export async function mailEmailVerification(userId: string, logger: Logger): Promise<void> {
  const verification = await startEmailVerification(userId)
  if (!verification) return
  await sendEmail(
    {
      to: verification.account.email,
      subject: 'Verify your email address for NextSaaS',
      text: [
        `Hello ${verification.account.name},`,
        '',
        `Please confirm that this is your address by opening this link within ${hours(TOKEN_LIFETIME_MS.verify_email)}:`,
        '',
        appLink(secretLink('verifyEmail', verification.token)),
        '',
        'If you did not create a NextSaaS account, ignore this message.',
      ].join('\n'),
    },
    logger,
  )
}

/** After sign-up, not awaited: the account exists either way, and the banner offers a new link. */
export function mailVerificationAfterSignUp(userId: string, logger: Logger): void {
  mailEmailVerification(userId, logger).catch((error: unknown) => logger.error({ err: error }, 'verification mail failed'))
}

/** Asks the new address to confirm it; the account moves to it only then. */
export async function mailEmailChange(account: Account, newEmail: string, token: string, logger: Logger): Promise<void> {
  await sendEmail(
    {
      to: newEmail,
      subject: 'Confirm your new email address for NextSaaS',
      text: [
        `Hello ${account.name},`,
        '',
        `To use this address for your NextSaaS account instead of ${account.email}, open this link within ${hours(TOKEN_LIFETIME_MS.change_email)}:`,
        '',
        appLink(secretLink('verifyEmail', token)),
        '',
        'If you did not ask for this, ignore this message: nothing changes.',
      ].join('\n'),
    },
    logger,
  )
}

/** Tells the old address that the account moved, so a takeover does not go unnoticed. */
export async function mailEmailChanged(previousEmail: string, account: Account, logger: Logger): Promise<void> {
  await sendEmail(
    {
      to: previousEmail,
      subject: 'Your NextSaaS email address was changed',
      text: [
        `Hello ${account.name},`,
        '',
        `Your NextSaaS account now uses ${account.email} instead of this address.`,
        '',
        'If you did not make this change, reset your password and contact support at once.',
      ].join('\n'),
    },
    logger,
  )
}
