import { verifyPassword } from '~/auth/password.server'
import { startSession } from '~/auth/session.server'
import { readBody } from '~/api/body.server'
import { apiData, ApiError } from '~/api/envelope.server'
import { presentUser } from '~/api/present.server'
import { apiRoute } from '~/api/route.server'
import { LoginBody } from '~/api/schemas.server'
import { findCredentials, recordSignIn } from '~/models/user.server'
import { beginSignIn } from '~/utils/rate-limit.server'

/** One message for every failure: it must not tell whether the account exists. */
const BAD_CREDENTIALS = 'Email or password is incorrect.'
const tooManyAttempts = (message: string) => new ApiError(429, 'RATE_LIMITED', message)

export const { loader, action } = apiRoute({
  /** Exchanges email and password for a bearer token: a session, under the sign-in page's brute-force limits. */
  async POST({ request, context }) {
    const { email, password } = await readBody(request, LoginBody)
    const gate = await beginSignIn(email, request, context)
    if ('refused' in gate) throw tooManyAttempts(gate.refused)
    const client = { ip: context.ip, userAgent: request.headers.get('user-agent') ?? undefined }
    const account = await findCredentials(email)
    const ok = await verifyPassword(account?.passwordHash, password)
    await recordSignIn({ userId: account?.id ?? null, result: ok ? 'success' : 'failure', ...client })
    if (!ok || !account) {
      const blocked = await gate.failed(account?.id ?? null)
      throw blocked ? tooManyAttempts(blocked) : new ApiError(401, 'INVALID_CREDENTIALS', BAD_CREDENTIALS)
    }
    await gate.succeeded()
    const token = await startSession(request, account.id, client)
    return apiData({ token, user: presentUser(account) })
  },
})
