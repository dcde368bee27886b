import { apiData } from '~/api/envelope.server'
import { presentUser } from '~/api/present.server'
import { requireApiUser } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'

const { loader, action } = apiRoute({
  /** Who the token belongs to, and what it is limited to. */
  async GET(args) {
    const principal = await requireApiUser(args)
    const { organizationId = null, permissions = null } = principal.scope ?? {}
    return apiData({
      user: presentUser(principal.user),
      credential: { kind: principal.credential.kind, organizationId, permissions },
    })
  },
})
export { loader, action }
