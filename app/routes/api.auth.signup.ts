import { hashPassword, passwordWeakness } from '~/auth/password.server'
import { startSession } from '~/auth/session.server'
import { readBody } from '~/api/body.server'
import { apiCreated, ApiError } from '~/api/envelope.server'
import { presentUser } from '~/api/present.server'
import { apiRoute } from '~/api/route.server'
import { SignupBody } from '~/api/schemas.server'
import { createUser, EmailTakenError } from '~/models/user.server'
import { mailVerificationAfterSignUp } from '~/utils/account-mail.server'

export const { loader, action } = apiRoute({
  /** Creates an account and signs it in: the sign-up page's rules, records and verification mail. */
  async POST({ request, context }) {
    const { name, email, password } = await readBody(request, SignupBody)
    const weakness = passwordWeakness(password, [email, name])
    if (weakness) throw new ApiError(422, 'VALIDATION_FAILED', 'The request body is not valid', { password: [weakness] })
    const client = { ip: context.ip, userAgent: request.headers.get('user-agent') ?? undefined }
    try {
      const user = await createUser({ name, email, passwordHash: await hashPassword(password) }, client)
      const token = await startSession(request, user.id, client)
      mailVerificationAfterSignUp(user.id, context.logger)
      return apiCreated({ token, user: presentUser(user) }, '/api/auth/me')
    } catch (error) {
      if (!(error instanceof EmailTakenError)) throw error
      throw new ApiError(409, 'EMAIL_TAKEN', error.message, { email: [error.message] })
    }
  },
})
