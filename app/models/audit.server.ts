import { z } from 'zod'
import { toPage, type ListQuery, type Page } from '~/lib/pagination'
import { redactStrings } from '~/lib/paths'
import type { Client } from '~/lib/request-context'
import { CalendarDate } from '~/lib/validation'
import { onPrimary, readsFromReplica, sql, withTenant, type Actor, type TenantActor, type Tx } from './db.server'

export const AUDIT_RESULTS = ['success', 'failure', 'error'] as const
export type AuditResult = (typeof AUDIT_RESULTS)[number]

export interface AuditEntry {
  /** `resource.verb`, past tense: `workspace.created`, `member.role_changed`. */
  action: string
  resourceType: string
  resourceId?: string
  details?: Record<string, unknown>
  result?: AuditResult
}

/** One audit row, as both writers (writeAudit, and accounts' events in user.server.ts) insert it. */
export interface AuditRow extends AuditEntry {
  organizationId: string | null
  userId: string | null
}

/**
 * Inserts an audit row with what the request's client says (address, agent,
 * traceId) and counts it in the process's metrics. Strings in the details
 * are redacted of mailed links' tokens.
 */
export async function insertAuditRow(tx: Tx, client: Client, row: AuditRow) {
  const result = row.result ?? 'success'
  const details = redactStrings(row.details ?? {})
  await tx.query(sql.unsafe`
    insert into audit_logs (organization_id, user_id, action, resource_type, resource_id, details, ip_address, user_agent, result, trace_id)
    values (${row.organizationId}, ${row.userId}, ${row.action}, ${row.resourceType}, ${row.resourceId ?? null},
            ${sql.jsonb(details as never)}, ${client.ip ?? null}, ${client.userAgent ?? null}, ${result}, ${client.traceId ?? null})`)
  client.audits?.({ action: row.action, result, details })
}

/**
 * The audit row of a change, written in the change's own transaction: if the
 * change commits, so does its record; if either fails, neither exists.
 */
export function writeAudit(tx: Tx, actor: Actor, entry: AuditEntry, organizationId = actor.organizationId) {
  return insertAuditRow(tx, actor, { ...entry, organizationId: organizationId ?? null, userId: actor.userId })
}

/**
 * A refused action leaves a trace too, in the request's transaction; a read
 * in a replica region writes it on the primary, in a transaction of its own.
 */
export function recordDenial(actor: Actor, entry: Omit<AuditEntry, 'result'>) {
  const write = (writer: Actor) => withTenant(writer, (tx) => writeAudit(tx, writer, { ...entry, result: 'failure' }))
  if (!readsFromReplica()) return write(actor)
  const { request: _replicaTransaction, ...own } = actor
  return onPrimary(() => write(own))
}

/**
 * An action that failed after it was permitted: `error`, in a transaction of
 * its own (the actor carries no request transaction: that one rolled back
 * with the failure, or may yet).
 */
export function recordError(actor: Omit<Actor, 'request'>, entry: Omit<AuditEntry, 'result'>) {
  return withTenant(actor, (tx) => writeAudit(tx, actor, { ...entry, result: 'error' }))
}

// ---------------------------------------------------------------- reading

const DAY = /^\d{4}-\d{2}-\d{2}$/
const DateTime = z.string().datetime({ offset: true })

/** One end of a time range: a date (the whole UTC day) or a date and time (that millisecond). */
const TimeBound = z
  .string()
  .trim()
  .refine(
    (value) => (DAY.test(value) ? CalendarDate : DateTime.refine((time) => !time.startsWith('0000'))).safeParse(value).success,
    'Use a date such as 2025-01-31, or a time such as 2025-01-31T09:30:00Z',
  )

/** What the log can be narrowed to; the API's query and the page's form share these names and rules. */
export const AuditLogFilters = z.object({
  action: z
    .string()
    .trim()
    .toLowerCase()
    .max(100, 'Use at most 100 characters')
    .regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*\.?$/, 'Use an action such as workspace.created, or a prefix such as workspace.')
    .optional()
    .describe('One action (`workspace.created`), or all of a kind with a trailing dot (`workspace.`)'),
  resourceType: z
    .string()
    .trim()
    .toLowerCase()
    .max(100, 'Use at most 100 characters')
    .regex(/^[a-z0-9_]+$/, 'Use a resource type such as workspace')
    .optional()
    .describe('`organization`, `workspace`, `project`, `member`, `role`, `invitation`, …'),
  userId: z.string().uuid('Not a user id').optional().describe('The user who acted'),
  result: z.enum(AUDIT_RESULTS, { message: 'Use success, failure or error' }).optional(),
  from: TimeBound.optional().describe('Entries at or after this date (from midnight UTC) or time'),
  to: TimeBound.optional().describe('Entries up to this date (its whole UTC day) or time (to the millisecond), inclusive'),
})
export type AuditLogFilters = z.infer<typeof AuditLogFilters>

/** The instant a bound names, as PostgreSQL reads it: midnight UTC for a date. */
const instant = (bound: string) => (DAY.test(bound) ? `${bound}T00:00:00Z` : bound)

/** Why the range can hold nothing, when `to` ends before `from` starts (for a field error on `to`). */
export function backwardRange({ from, to }: Pick<AuditLogFilters, 'from' | 'to'>): string | undefined {
  if (!from || !to) return undefined
  const end = Date.parse(instant(to)) + (DAY.test(to) ? 86_400_000 : 1)
  return end <= Date.parse(instant(from)) ? 'Must not be before the start' : undefined
}

const AuditLogEntry = z.object({
  id: z.string(),
  action: z.string(),
  resourceType: z.string(),
  resourceId: z.string().nullable(),
  result: z.enum(AUDIT_RESULTS),
  details: z.record(z.unknown()),
  ipAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
  createdAt: z.date(),
  /** Null once the account is deleted; name and email are null when the reader can no longer see the user. */
  userId: z.string().nullable(),
  userName: z.string().nullable(),
  userEmail: z.string().nullable(),
})
export type AuditLogEntry = z.infer<typeof AuditLogEntry>

/** The filters as SQL over `audit_logs a` (the list and the export share them). */
export function auditConditions(actor: TenantActor, filters: AuditLogFilters) {
  const where = [sql.fragment`a.organization_id = ${actor.organizationId}`]
  // ^@ (starts_with) is leakproof, so under RLS it still becomes an index range; LIKE would not.
  if (filters.action)
    where.push(filters.action.endsWith('.') ? sql.fragment`a.action ^@ ${filters.action}` : sql.fragment`a.action = ${filters.action}`)
  if (filters.resourceType) where.push(sql.fragment`a.resource_type = ${filters.resourceType}`)
  if (filters.userId) where.push(sql.fragment`a.user_id = ${filters.userId}`)
  if (filters.result) where.push(sql.fragment`a.result = ${filters.result}`)
  if (filters.from) where.push(sql.fragment`a.created_at >= ${instant(filters.from)}::timestamptz`)
  if (filters.to) {
    const span = DAY.test(filters.to) ? '1 day' : '1 millisecond'
    where.push(sql.fragment`a.created_at < ${instant(filters.to)}::timestamptz + ${span}::interval`)
  }
  return sql.join(where, sql.fragment` and `)
}

/**
 * One page of the organization's audit log, newest first, with the total and
 * each actor's name and email (where the reader can still see the user). RLS
 * shows the rows only to members whose role holds audit:view.
 */
export function listAuditLogs(actor: TenantActor, query: ListQuery & AuditLogFilters): Promise<Page<AuditLogEntry>> {
  return withTenant(actor, async (tx) => {
    const where = auditConditions(actor, query)
    const total = await tx.oneFirst(sql.type(z.object({ total: z.number() }))`
      select count(*) as total from audit_logs a where ${where}`)
    const items = await tx.any(sql.type(AuditLogEntry)`
      select a.id, a.action, a.resource_type as "resourceType", a.resource_id as "resourceId", a.result, a.details,
             host(a.ip_address) as "ipAddress", a.user_agent as "userAgent", a.created_at as "createdAt",
             a.user_id as "userId", u.name as "userName", u.email as "userEmail"
      from audit_logs a left join auth.users u on u.id = a.user_id
      where ${where}
      order by a.created_at desc, a.id desc
      limit ${query.pageSize} offset ${(query.page - 1) * query.pageSize}`)
    return toPage(items, total, query)
  })
}
