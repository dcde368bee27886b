import type { AppLoadContext } from '@remix-run/node'
import { findCredentials } from '~/models/user.server'
import { beginSignIn } from '~/rate-limit/lockouts.server'
import { verifyPassword } from './password.server'

export type PasswordCheck = { ok: true } | { ok: false; status: 422 | 429; message: string }

/**
 * Asks a signed-in user for their password again (before a change of password
 * or email) behind the sign-in form's brute-force guard: a stolen session
 * gets no more guesses at the password than a stranger at the sign-in form.
 */
export async function confirmCurrentPassword(
  user: { id: string; email: string },
  password: string,
  request: Request,
  context: AppLoadContext,
): Promise<PasswordCheck> {
  const gate = await beginSignIn(user.email, request, context)
  if ('refused' in gate) return { ok: false, status: 429, message: gate.refused }
  const credentials = await findCredentials(user.email)
  if (await verifyPassword(credentials?.passwordHash, password)) {
    await gate.succeeded()
    return { ok: true }
  }
  const blocked = await gate.failed(user.id)
  return { ok: false, status: blocked ? 429 : 422, message: blocked ?? 'That is not your current password.' }
}
