import { isIP } from 'node:net'
import { z } from 'zod'
import { redactPath, redactText } from '~/lib/paths'
import { CalendarDate, isUuid } from '~/lib/validation'
import { SEVERITIES, THREAT_TYPES, type Finding } from '~/security/types'
import { onPrimary, sql, withAuthService, withTenant, type TenantActor } from './db.server'

/** The request a set of findings came from, as the monitor knows it before any route runs. */
export interface ObservedRequest {
  ip: string
  /** `METHOD /raw/path`, without the query string. */
  endpoint: string
  traceId: string
  /** SHA-256 of the session token the request carried, if any: the function resolves the user. */
  sessionId: string | null
  /** The organization slug or id the path names: the function resolves it for members only. */
  organization: string | null
}

const MAX_FINDINGS = 32
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** Text PostgreSQL accepts: no NUL, no unpaired surrogate (attack samples contain both). */
function storable(text: string, max: number): string {
  return text.slice(0, max).replaceAll('\x00', '\\0').replace(LONE_SURROGATE, '\uFFFD')
}

/** `METHOD /path` with a mailed link's token redacted. */
function redactEndpoint(endpoint: string): string {
  const space = endpoint.indexOf(' ')
  return space === -1 ? redactPath(endpoint) : `${endpoint.slice(0, space)} ${redactPath(endpoint.slice(space + 1))}`
}

/**
 * Writes a request's findings through `record_security_event`, the one narrow
 * privileged path (as the auth service role, which may only execute it): one
 * row per IP × rule × minute, counting repeats. Mailed links' tokens are
 * redacted from the endpoint and the samples. Always on the primary: a read
 * in a replica region records what it saw there.
 */
export async function recordSecurityEvent(request: ObservedRequest, findings: readonly (Finding & { blocked: boolean })[]): Promise<void> {
  const rows = findings.slice(0, MAX_FINDINGS).map((f) => ({
    type: f.type,
    severity: f.severity,
    rule_id: f.ruleId,
    location: f.location,
    sample: storable(redactText(f.sample), 200),
    blocked: f.blocked,
    field: f.field === null ? null : storable(f.field, 100),
    in_name: f.inName,
  }))
  await onPrimary(() =>
    withAuthService((tx) =>
      tx.query(sql.unsafe`
      select public.record_security_event(
        ${isIP(request.ip) ? request.ip : null}, ${storable(redactEndpoint(request.endpoint), 200)}, ${storable(request.traceId, 128)},
        ${request.sessionId}, ${request.organization === null ? null : storable(request.organization, 64)},
        ${sql.jsonb(rows)})`),
    ),
  )
}

// ---------------------------------------------------------------- reading

/** The filters of the events page; each one optional, each one validated. */
export const EventFilters = z
  .object({
    type: z.enum(THREAT_TYPES).optional(),
    severity: z.enum(SEVERITIES).optional(),
    from: CalendarDate.optional(),
    to: CalendarDate.optional(),
    ip: z
      .string()
      .refine((value) => isIP(value) !== 0, 'Not an IP address')
      .optional(),
    user: z.string().trim().email('Not an email address').max(254).optional(),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { path: ['to'], message: 'Must not be before the start date' })
export type EventFilters = z.infer<typeof EventFilters>

const SecurityEvent = z.object({
  id: z.string(),
  type: z.enum(THREAT_TYPES),
  severity: z.enum(SEVERITIES),
  ruleId: z.string(),
  location: z.string().nullable(),
  sample: z.string().nullable(),
  count: z.number(),
  blocked: z.boolean(),
  ipAddress: z.string().nullable(),
  endpoint: z.string().nullable(),
  userEmail: z.string().nullable(),
  createdAt: z.date(),
  lastSeenAt: z.date(),
})
export type SecurityEvent = z.infer<typeof SecurityEvent>

const SecurityEventDetail = SecurityEvent.extend({ details: z.record(z.unknown()) })
export type SecurityEventDetail = z.infer<typeof SecurityEventDetail>

const COLUMNS = sql.fragment`
  e.id, e.type, e.severity, e.rule_id as "ruleId", e.location, e.sample, e.count, e.blocked,
  host(e.ip_address) as "ipAddress", e.endpoint, u.email as "userEmail",
  e.created_at as "createdAt", e.last_seen_at as "lastSeenAt"`

/** The organization's events matching the filters; RLS adds the security:view check. */
function conditions(actor: TenantActor, filters: EventFilters) {
  const where = [sql.fragment`e.organization_id = ${actor.organizationId}`]
  if (filters.type) where.push(sql.fragment`e.type = ${filters.type}`)
  if (filters.severity) where.push(sql.fragment`e.severity = ${filters.severity}`)
  if (filters.from) where.push(sql.fragment`e.created_at >= ${filters.from}::date`)
  if (filters.to) where.push(sql.fragment`e.created_at < ${filters.to}::date + 1`)
  if (filters.ip) where.push(sql.fragment`e.ip_address = ${filters.ip}::inet`)
  if (filters.user) where.push(sql.fragment`lower(u.email) = lower(${filters.user})`)
  return sql.join(where, sql.fragment` and `)
}

export async function listSecurityEvents(
  actor: TenantActor,
  filters: EventFilters,
  page: { page: number; pageSize: number },
): Promise<{ items: readonly SecurityEvent[]; total: number }> {
  return withTenant(actor, async (tx) => {
    const where = conditions(actor, filters)
    const total = await tx.oneFirst(sql.type(z.object({ total: z.number() }))`
      select count(*) as total from security_events e left join auth.users u on u.id = e.user_id where ${where}`)
    const items = await tx.any(sql.type(SecurityEvent)`
      select ${COLUMNS}
      from security_events e left join auth.users u on u.id = e.user_id
      where ${where}
      order by e.last_seen_at desc, e.id
      limit ${page.pageSize} offset ${(page.page - 1) * page.pageSize}`)
    return { items, total }
  })
}

const DailyCount = z.object({ day: z.string(), type: z.enum(THREAT_TYPES), events: z.number() })
export type DailyCount = z.infer<typeof DailyCount>

/** Requests with findings per UTC day and type, over `days` days ending on `until` (for the chart). */
export function countSecurityEventsByDay(
  actor: TenantActor,
  filters: EventFilters,
  range: { since: string; until: string },
): Promise<readonly DailyCount[]> {
  return withTenant(actor, (tx) =>
    tx.any(sql.type(DailyCount)`
      select to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD') as day, e.type, sum(e.count)::int8 as events
      from security_events e left join auth.users u on u.id = e.user_id
      where ${conditions(actor, filters)}
        and e.created_at >= ${range.since}::date and e.created_at < ${range.until}::date + 1
      group by 1, 2
      order by 1, 2`),
  )
}

export function findSecurityEvent(actor: TenantActor, id: string): Promise<SecurityEventDetail | null> {
  if (!isUuid(id)) return Promise.resolve(null)
  return withTenant(actor, (tx) =>
    tx.maybeOne(sql.type(SecurityEventDetail)`
      select ${COLUMNS}, e.details
      from security_events e left join auth.users u on u.id = e.user_id
      where e.organization_id = ${actor.organizationId} and e.id = ${id}`),
  )
}

const OperatorSecurityEvent = SecurityEvent.extend({
  organizationName: z.string().nullable(),
  organizationSlug: z.string().nullable(),
  total: z.number(),
})
export type OperatorSecurityEvent = z.infer<typeof OperatorSecurityEvent>

/**
 * Every organization's events and those outside any, for the instance's
 * operators. The caller must have checked that the user is one (configuration
 * names them); the database function only reads.
 */
export async function listAllSecurityEvents(
  filters: EventFilters,
  page: { page: number; pageSize: number },
): Promise<{ items: readonly OperatorSecurityEvent[]; total: number }> {
  const items = await withAuthService((tx) =>
    tx.any(sql.type(OperatorSecurityEvent)`
      select id, organization_name as "organizationName", organization_slug as "organizationSlug", type, severity,
             rule_id as "ruleId", location, sample, count, blocked, ip_address as "ipAddress", endpoint,
             user_email as "userEmail", created_at as "createdAt", last_seen_at as "lastSeenAt", total
      from public.operator_security_events(
        ${filters.type ?? null}, ${filters.severity ?? null}, ${filters.from ?? null}, ${filters.to ?? null},
        ${filters.ip ?? null}, ${filters.user ?? null}, ${page.pageSize}, ${(page.page - 1) * page.pageSize})`),
  )
  return { items, total: items[0]?.total ?? 0 }
}
