import { requirePermission } from '~/access/tenant.server'
import { apiPage, invalidQuery, parseApiListQuery } from '~/api/pagination.server'
import { presentAuditLog } from '~/api/present.server'
import { requireApiTenant } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { AuditLogFilters, backwardRange, listAuditLogs } from '~/models/audit.server'

const { loader, action } = apiRoute({
  /** The organization's audit log, newest first, narrowed by action, resource type, actor, result and time. */
  async GET(args) {
    const tenant = await requireApiTenant(args)
    await requirePermission(tenant, 'audit:view')
    const query = parseApiListQuery(args.request, ['recent'], AuditLogFilters)
    const backward = backwardRange(query)
    if (backward) throw invalidQuery({ to: [backward] })
    return apiPage(args.request, await listAuditLogs(tenant.actor, query), query, presentAuditLog)
  },
})
export { loader, action }
