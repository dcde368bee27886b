import { bearerCredential, requireApiTenant } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { liveUpdatesResponse } from '~/server/live-updates.server'

const { loader, action } = apiRoute({
  /** The organization's live updates for the caller (text/event-stream; see server/live-updates.server.ts). */
  async GET(args) {
    const tenant = await requireApiTenant(args)
    return liveUpdatesResponse(args.context, args.request, tenant, bearerCredential(args.request))
  },
})
export { loader, action }
