/**
 * The audit log's export, for both doors (GET /api/organizations/{orgId}/
 * audit-logs/export and the audit page's export link): the same permission,
 * the same per-organization limit, the same audit row, the same file.
 */
import { PassThrough } from 'node:stream'
import { createReadableStreamFromReadable, type AppLoadContext } from '@remix-run/node'
import { ExportReaderGone, exportAuditLog, recordAuditExport, type ExportFormat } from '~/models/audit-export.server'
import type { AuditLogFilters } from '~/models/audit.server'
import type { Tenant } from '~/models/tenant.server'
import { enforceEndpointLimit } from '~/rate-limit/guards.server'
import { requirePermission } from './tenant.server'

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
}

/** Refused without audit:view, or over the organization's hourly export limit (429); otherwise records the export and streams it. */
export async function auditExportResponse(
  tenant: Tenant,
  format: ExportFormat,
  filters: AuditLogFilters,
  request: Request,
  context: AppLoadContext,
): Promise<Response> {
  await requirePermission(tenant, 'audit:view')
  await enforceEndpointLimit(tenant, 'export', request, context)
  await recordAuditExport(tenant.actor, format, filters)
  const out = new PassThrough()
  // Headers are gone by the time a row fails: the reader gets a file without its trailer, which says it is incomplete.
  exportAuditLog(tenant.actor, filters, format, out).catch((error: unknown) => {
    if (error instanceof ExportReaderGone || out.destroyed) context.logger.info('audit log export ended early: the reader went away')
    else context.logger.error({ err: error }, 'audit log export failed')
    out.destroy(error as Error)
  })
  const day = new Date().toISOString().slice(0, 10)
  return new Response(createReadableStreamFromReadable(out), {
    headers: {
      'Content-Type': CONTENT_TYPES[format],
      'Content-Disposition': `attachment; filename="audit-log-${tenant.organization.slug}-${day}.${format}"`,
      'Cache-Control': 'no-store',
    },
  })
}
