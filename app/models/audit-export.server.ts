import type { Writable } from 'node:stream'
import { z } from 'zod'
import { AUDIT_RESULTS, AuditLogFilters, auditConditions, writeAudit } from './audit.server'
import { sql, withTenant, type TenantActor } from './db.server'

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** An export's query: the audit log's filters and a format. */
export const AuditExportQuery = AuditLogFilters.extend({
  format: z.enum(EXPORT_FORMATS, { message: 'Use csv or ndjson' }).default('ndjson').describe('`ndjson` (the default) or `csv`'),
})

const ExportRow = z.object({
  position: z.number(),
  id: z.string(),
  /** UTC, to the microsecond: the form the row's hash covers. */
  createdAt: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  resourceType: z.string(),
  resourceId: z.string().nullable(),
  result: z.enum(AUDIT_RESULTS),
  details: z.record(z.unknown()),
  ipAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
  traceId: z.string().nullable(),
  prevHash: z.string(),
  hash: z.string(),
})
type ExportRow = z.infer<typeof ExportRow>

/** The CSV's columns, in order: the row's fields as exported. */
export const CSV_COLUMNS = Object.keys(ExportRow.shape) as (keyof ExportRow)[]

/**
 * The last line of every export: what it covers, and the organization's
 * chain head when it was taken (the position and hash that
 * `npm run audit:verify` prints for the organization, or a later one).
 */
export interface ExportTrailer {
  type: 'trailer'
  organizationId: string
  format: ExportFormat
  filters: AuditLogFilters
  rows: number
  chainHead: { position: number; hash: string } | null
  exportedAt: string
}

/** The export's own audit row, committed before the file streams: an export cut short is still on record. */
export function recordAuditExport(actor: TenantActor, format: ExportFormat, filters: AuditLogFilters) {
  return withTenant({ ...actor, request: undefined }, (tx) =>
    writeAudit(tx, actor, { action: 'audit_log.exported', resourceType: 'audit_log', details: { format, filters } }),
  )
}

/** The first character of a spreadsheet formula: such a cell is prefixed with ' so that opening the file runs nothing. */
const FORMULA = /^[=+\-@\t\r]/
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value)
  if (FORMULA.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

const FORMATTERS: Record<ExportFormat, { header: string; row(row: ExportRow): string; trailer(trailer: ExportTrailer): string }> = {
  ndjson: {
    header: '',
    row: (row) => `${JSON.stringify({ type: 'entry', ...row })}\n`,
    trailer: (trailer) => `${JSON.stringify(trailer)}\n`,
  },
  csv: {
    header: `${CSV_COLUMNS.join(',')}\r\n`,
    row: (row) => `${CSV_COLUMNS.map((column) => csvCell(row[column])).join(',')}\r\n`,
    // A comment line after the last record, the trailer as one JSON object (see docs/operations.md).
    trailer: (trailer) => `# ${JSON.stringify(trailer)}\r\n`,
  },
}

/** The export stopped because its reader went away (a closed connection, a cancelled download): not a failure of the server. */
export class ExportReaderGone extends Error {
  constructor() {
    super('the export’s reader went away')
  }
}

/** Writes `chunk`, waiting while `out` is full; throws when the reader has gone (which rolls the export's transaction back). */
async function write(out: Writable, chunk: string) {
  if (out.destroyed || out.writableEnded) throw new ExportReaderGone()
  if (out.write(chunk)) return
  await new Promise<void>((resolve, reject) => {
    const gone = () => reject(new ExportReaderGone())
    out.once('drain', () => {
      out.off('close', gone)
      resolve()
    })
    out.once('close', gone)
  })
}

/**
 * Streams the organization's audit rows that match `filters`, in chain
 * order, into `out`, then the trailer, and ends `out`. One transaction of
 * its own (RLS: the reader must hold audit:view), read through a server-side
 * cursor in batches, waiting for `out` to drain: memory stays flat however
 * many rows there are. The export covers the chain up to the head read
 * first, so that the trailer names exactly what the rows lead to.
 */
export function exportAuditLog(actor: TenantActor, filters: AuditLogFilters, format: ExportFormat, out: Writable): Promise<ExportTrailer> {
  const formatter = FORMATTERS[format]
  const own = { ...actor, request: undefined }
  return withTenant(own, async (tx) => {
    const head = await tx.maybeOne(sql.type(z.object({ position: z.number(), hash: z.string() }))`
      select chain_position as position, encode(hash, 'hex') as hash from audit_logs
      where organization_id = ${actor.organizationId} order by chain_position desc limit 1`)
    let rows = 0
    let writing: Promise<void> = write(out, formatter.header)
    await tx.stream(
      sql.type(ExportRow)`
        select a.chain_position as position, a.id, to_char(a.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "createdAt", a.actor_id as "actorId", a.action,
               a.resource_type as "resourceType", a.resource_id as "resourceId", a.result, a.details,
               host(a.ip_address) as "ipAddress", a.user_agent as "userAgent", a.trace_id as "traceId",
               encode(a.prev_hash, 'hex') as "prevHash", encode(a.hash, 'hex') as "hash"
        from audit_logs a
        where ${auditConditions(actor, filters)} and a.chain_position <= ${head?.position ?? 0}
        order by a.chain_position`,
      (stream) => {
        writing = writing.then(async () => {
          for await (const { data } of stream) {
            rows += 1
            await write(out, formatter.row(data))
          }
        })
        // A failed write ends the stream too, so that the query's pipeline stops reading.
        writing.catch((error: Error) => stream.destroy(error))
      },
    )
    await writing
    const trailer: ExportTrailer = {
      type: 'trailer',
      organizationId: actor.organizationId,
      format,
      filters,
      rows,
      chainHead: head,
      exportedAt: new Date().toISOString(),
    }
    await write(out, formatter.trailer(trailer))
    out.end()
    return trailer
  })
}
