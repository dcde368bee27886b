import { readBody } from '~/api/body.server'
import { apiData } from '~/api/envelope.server'
import { presentUser } from '~/api/present.server'
import { apiRoute } from '~/api/route.server'
import { LoginBody } from '~/api/schemas.server'
import { signIn } from '~/auth/sign-in.server'

const { loader, action } = apiRoute({
  /** Exchanges email and password for a bearer token: a session, under the sign-in page's brute-force limits. */
  async POST({ request, context }) {
    const { email, password } = await readBody(request, LoginBody)
    const { token, user } = await signIn(email, password, request, context)
    return apiData({ token, user: presentUser(user) })
  },
})
export { loader, action }
