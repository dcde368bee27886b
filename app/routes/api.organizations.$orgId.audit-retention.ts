import { requirePermission } from '~/access/tenant.server'
import { readBody } from '~/api/body.server'
import { apiData } from '~/api/envelope.server'
import { requireApiTenant } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { getConfig } from '~/lib/config.server'
import { auditRetentionSchema } from '~/lib/validation'
import { getAuditRetention, setAuditRetention } from '~/models/organization.server'

const present = (days: number | null) => ({ days, maximumDays: getConfig().AUDIT_RETENTION_MAX_DAYS })

const { loader, action } = apiRoute({
  /** How long the audit log is kept, and the longest the operator allows. */
  async GET(args) {
    const tenant = await requireApiTenant(args)
    await requirePermission(tenant, 'organization:view')
    return apiData(present(await getAuditRetention(tenant.actor)))
  },

  /** Owners only: sets the retention (null keeps the log as long as the maximum allows). */
  async PUT(args) {
    const tenant = await requireApiTenant(args)
    await requirePermission(tenant, '*')
    const { days } = await readBody(args.request, auditRetentionSchema(getConfig().AUDIT_RETENTION_MAX_DAYS, { blankIsNull: false }))
    await setAuditRetention(tenant.actor, days)
    return apiData(present(days))
  },
})
export { loader, action }
