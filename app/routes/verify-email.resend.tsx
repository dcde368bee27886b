import { redirect, type ActionFunctionArgs } from '@remix-run/node'
import { requireUser } from '~/auth/session.server'
import { mailEmailVerification } from '~/mail/account.server'
import { enforceMailLimit } from '~/rate-limit/guards.server'

export async function loader() {
  return redirect('/account')
}

/** A new verification link for the signed-in user's address; the old one stops working. */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context)
  if (user.emailVerified) return redirect('/account')
  await enforceMailLimit(user.email, context)
  try {
    await mailEmailVerification(user.id, context.logger)
  } catch (error) {
    context.logger.error({ err: error }, 'verification mail failed')
    throw new Response('We could not send the email just now. Please try again in a few minutes.', { status: 503 })
  }
  return redirect('/account?email=sent')
}
