/**
 * Signing in and signing up, the same steps whichever door they come through
 * (the forms, or POST /api/auth/login and /signup); the door turns the
 * outcome into a cookie and a redirect, or a bearer token.
 */
import type { AppLoadContext } from '@remix-run/node'
import { DomainError } from '~/lib/errors'
import { clientOf, type Client } from '~/lib/request-context'
import { mailVerificationAfterSignUp } from '~/mail/account.server'
import { createUser, EmailTakenError, findCredentials, recordSignIn, type User } from '~/models/user.server'
import { beginSignIn } from '~/rate-limit/lockouts.server'
import { hashPassword, passwordWeakness, verifyPassword } from './password.server'
import { startSession } from './session.server'

/** One message for every failure: it must not tell whether the account exists. */
const BAD_CREDENTIALS = 'Email or password is incorrect.'

/**
 * Checks email and password under the sign-in brute-force guard and starts a
 * session: its token and the user. Refusals are INVALID_CREDENTIALS or
 * RATE_LIMITED, in words that say nothing about the account.
 */
export async function signIn(email: string, password: string, request: Request, context: AppLoadContext) {
  const gate = await beginSignIn(email, request, context)
  if ('refused' in gate) throw new DomainError(gate.refused, undefined, 'RATE_LIMITED')
  const client = clientOf(request, context)
  const account = await findCredentials(email)
  const ok = await verifyPassword(account?.passwordHash, password)
  await recordSignIn({ userId: account?.id ?? null, result: ok ? 'success' : 'failure', ...client })
  if (!ok || !account) {
    const blocked = await gate.failed(account?.id ?? null)
    throw blocked ? new DomainError(blocked, undefined, 'RATE_LIMITED') : new DomainError(BAD_CREDENTIALS, undefined, 'INVALID_CREDENTIALS')
  }
  await gate.succeeded()
  return { token: await startSession(request, account.id, client), user: account as User }
}

/**
 * A new account, for sign-up and for the demo seed alike: a guessable password
 * is a field error, a taken email an EmailTakenError.
 */
export async function registerAccount(input: { name: string; email: string; password: string }, client: Client): Promise<User> {
  const weakness = passwordWeakness(input.password, [input.email, input.name])
  if (weakness) throw new DomainError(weakness, 'password', 'VALIDATION_FAILED')
  return createUser({ name: input.name, email: input.email, passwordHash: await hashPassword(input.password) }, client)
}

/**
 * Creates an account (registerAccount), starts its session and mails the
 * verification link; a taken email is a field error here.
 */
export async function signUp(input: { name: string; email: string; password: string }, request: Request, context: AppLoadContext) {
  const client = clientOf(request, context)
  try {
    const user = await registerAccount(input, client)
    const token = await startSession(request, user.id, client)
    mailVerificationAfterSignUp(user.id, context.logger)
    return { token, user }
  } catch (error) {
    if (!(error instanceof EmailTakenError)) throw error
    throw new DomainError('An account with this email already exists. Sign in instead?', 'email', 'EMAIL_TAKEN')
  }
}
