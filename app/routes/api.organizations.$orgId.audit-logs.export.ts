import { auditExportResponse } from '~/access/audit-export.server'
import { invalidQuery, parseApiQuery } from '~/api/pagination.server'
import { requireApiTenant } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { AuditExportQuery } from '~/models/audit-export.server'
import { backwardRange } from '~/models/audit.server'

const { loader, action } = apiRoute({
  /** The organization's audit log as a file (CSV or NDJSON), in chain order, with the chain head in its trailer. */
  async GET(args) {
    const tenant = await requireApiTenant(args)
    const { format, ...filters } = parseApiQuery(args.request, AuditExportQuery)
    const backward = backwardRange(filters)
    if (backward) throw invalidQuery({ to: [backward] })
    return auditExportResponse(tenant, format, filters, args.request, args.context)
  },
})
export { loader, action }
