import type { AppLoadContext } from '@remix-run/node'
import { requireUser } from '~/auth/session.server'
import { getConfig } from '~/lib/config.server'
import { notFound } from '~/lib/errors'

/**
 * An operator of this instance: named by SECURITY_OPERATOR_EMAILS, and with
 * that address verified (anyone can sign up with an unclaimed one). To anyone
 * else, operator pages do not exist.
 */
export async function requireOperator(request: Request, context: AppLoadContext) {
  const user = await requireUser(request, context)
  if (!user.emailVerified || !getConfig().SECURITY_OPERATOR_EMAILS.includes(user.email.toLowerCase())) throw notFound()
  return user
}
