import { memberOf } from '~/access/resources.server'
import { apiData } from '~/api/envelope.server'
import { presentPermissionTrace } from '~/api/present.server'
import { requireApiTenant } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { tracePermissions } from '~/lib/permissions'

const { loader, action } = apiRoute({
  /** What the member may do and where each permission comes from: the tracer of the member page. */
  async GET(args) {
    const tenant = await requireApiTenant(args)
    const member = await memberOf(tenant, args.params.memberId ?? '')
    return apiData(presentPermissionTrace(member.id, tracePermissions(member)))
  },
})
export { loader, action }
