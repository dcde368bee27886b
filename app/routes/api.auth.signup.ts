import { readBody } from '~/api/body.server'
import { apiCreated } from '~/api/envelope.server'
import { presentUser } from '~/api/present.server'
import { apiRoute } from '~/api/route.server'
import { SignupBody } from '~/api/schemas.server'
import { signUp } from '~/auth/sign-in.server'

const { loader, action } = apiRoute({
  /** Creates an account and signs it in: the sign-up page's rules, records and verification mail. */
  async POST({ request, context }) {
    const { token, user } = await signUp(await readBody(request, SignupBody), request, context)
    return apiCreated({ token, user: presentUser(user) }, '/api/auth/me')
  },
})
export { loader, action }
