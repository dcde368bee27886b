import { apiNoContent } from '~/api/envelope.server'
import { apiActor, requireApiUser } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { revokeApiToken } from '~/models/api-token.server'
import { endSession } from '~/models/sessions.server'

const { loader, action } = apiRoute({
  /** The token that signs this request stops working: a session ends, a personal access token is revoked. */
  async POST(args) {
    const principal = await requireApiUser(args)
    const actor = apiActor(principal, args)
    const { credential } = principal
    if (credential.kind === 'session') await endSession(actor, credential.sessionId)
    else await revokeApiToken(actor, credential.tokenId)
    return apiNoContent()
  },
})
export { loader, action }
