import { Link } from '@remix-run/react'
import { formatUtc } from '~/lib/dates'
import type { FilterErrors, FilterValues } from '~/lib/filters'
import { SEVERITIES, THREAT_TYPES, type Severity, type ThreatType } from '~/security/types'
import { FilterForm, FilterInput, FilterSelect } from './filter-form'
import { DataTable } from './ui'

/** Presentation of security events, shared by the organization's pages. */

/** One colour per type, used by the chart and its legend. */
export const TYPE_COLORS: Record<ThreatType, string> = {
  SQL_INJECTION: '#dc2626',
  XSS_ATTEMPT: '#ea580c',
  PATH_TRAVERSAL: '#ca8a04',
  COMMAND_INJECTION: '#7c3aed',
  BRUTE_FORCE: '#2563eb',
  SUSPICIOUS_ACTIVITY: '#64748b',
}

export const TYPE_LABELS: Record<ThreatType, string> = {
  SQL_INJECTION: 'SQL injection',
  XSS_ATTEMPT: 'XSS',
  PATH_TRAVERSAL: 'Path traversal',
  COMMAND_INJECTION: 'Command injection',
  BRUTE_FORCE: 'Brute force',
  SUSPICIOUS_ACTIVITY: 'Suspicious activity',
}

const WIDTH = 720
const HEIGHT = 180
const AXIS = 28
const LABEL_ROW = 18

/**
 * Events per day, stacked by type, as plain server-rendered SVG: no script,
 * no chart library. Every bar segment carries a <title> with its numbers.
 */
export function EventsChart({ days, counts }: { days: readonly string[]; counts: readonly { day: string; type: ThreatType; events: number }[] }) {
  const byDay = new Map<string, Map<ThreatType, number>>()
  for (const c of counts) byDay.set(c.day, (byDay.get(c.day) ?? new Map()).set(c.type, c.events))
  const totals = days.map((day) => [...(byDay.get(day)?.values() ?? [])].reduce((a, b) => a + b, 0))
  const max = Math.max(1, ...totals)
  const slot = (WIDTH - AXIS) / Math.max(1, days.length)
  const barWidth = Math.max(2, slot * 0.7)
  const plotHeight = HEIGHT - LABEL_ROW
  const labelEvery = Math.ceil(days.length / 10)
  const total = totals.reduce((a, b) => a + b, 0)
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-4">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="h-auto w-full" role="img" aria-labelledby="events-chart-title">
        <title id="events-chart-title">{`Security events per day from ${days[0]} to ${days.at(-1)}: ${total} in all`}</title>
        <line x1={AXIS} y1={plotHeight} x2={WIDTH} y2={plotHeight} stroke="#cbd5e1" />
        <text x={AXIS - 4} y={10} textAnchor="end" fontSize="10" fill="#64748b">
          {max}
        </text>
        <text x={AXIS - 4} y={plotHeight} textAnchor="end" fontSize="10" fill="#64748b">
          0
        </text>
        {days.map((day, i) => {
          const x = AXIS + i * slot + (slot - barWidth) / 2
          let top = plotHeight
          return (
            <g key={day}>
              {THREAT_TYPES.map((type) => {
                const events = byDay.get(day)?.get(type) ?? 0
                if (!events) return null
                const height = (events / max) * (plotHeight - 12)
                top -= height
                return (
                  <rect key={type} x={x} y={top} width={barWidth} height={height} fill={TYPE_COLORS[type]}>
                    <title>{`${day} · ${TYPE_LABELS[type]}: ${events}`}</title>
                  </rect>
                )
              })}
              {i % labelEvery === 0 ? (
                <text x={x + barWidth / 2} y={HEIGHT - 4} textAnchor="middle" fontSize="10" fill="#64748b">
                  {day.slice(5)}
                </text>
              ) : null}
            </g>
          )
        })}
      </svg>
      <figcaption className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600">
        {THREAT_TYPES.map((type) => (
          <span key={type} className="inline-flex items-center gap-1">
            <span aria-hidden="true" className="inline-block h-2.5 w-2.5 rounded-sm" style={{ backgroundColor: TYPE_COLORS[type] }} />
            {TYPE_LABELS[type]}
          </span>
        ))}
      </figcaption>
    </figure>
  )
}

const SEVERITY_STYLE: Record<Severity, string> = {
  LOW: 'bg-slate-100 text-slate-700',
  MEDIUM: 'bg-amber-100 text-amber-800',
  HIGH: 'bg-orange-100 text-orange-800',
  CRITICAL: 'bg-red-100 text-red-800',
}

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span className={`rounded px-2 py-0.5 text-xs font-medium ${SEVERITY_STYLE[severity]}`}>{severity}</span>
}

export const EVENT_FILTER_KEYS = ['type', 'severity', 'from', 'to', 'ip', 'user'] as const
type EventFilterKey = (typeof EVENT_FILTER_KEYS)[number]
export type EventFilterErrors = FilterErrors<EventFilterKey>

export function EventFilterForm({ values, errors }: { values: FilterValues<EventFilterKey>; errors: EventFilterErrors }) {
  return (
    <FilterForm>
      <FilterSelect
        name="type"
        label="Type"
        value={values.type}
        errors={errors.type}
        all="All types"
        options={THREAT_TYPES.map((type) => ({ value: type, label: TYPE_LABELS[type] }))}
      />
      <FilterSelect
        name="severity"
        label="Severity"
        value={values.severity}
        errors={errors.severity}
        all="All severities"
        options={SEVERITIES.map((severity) => ({ value: severity, label: severity }))}
      />
      <FilterInput name="from" label="From (UTC)" type="date" value={values.from} errors={errors.from} />
      <FilterInput name="to" label="To (UTC)" type="date" value={values.to} errors={errors.to} />
      <FilterInput name="ip" label="IP address" value={values.ip} errors={errors.ip} />
      <FilterInput name="user" label="User email" type="email" value={values.user} errors={errors.user} />
    </FilterForm>
  )
}

export interface EventRow {
  id: string
  type: ThreatType
  severity: Severity
  ruleId: string
  count: number
  blocked: boolean
  ipAddress: string | null
  userEmail: string | null
  endpoint: string | null
  lastSeenAt: Date
  organizationName?: string | null
}

/** The events table; `detailHref` links rows to a detail page, `showOrganization` adds that column. */
export function EventTable({
  events,
  detailHref,
  showOrganization = false,
}: {
  events: readonly EventRow[]
  detailHref?: (id: string) => string
  showOrganization?: boolean
}) {
  return (
    <DataTable
      headings={[
        'Last seen',
        showOrganization && 'Organization',
        'Type',
        'Severity',
        'Rule',
        <span key="count" className="block text-right">
          Count
        </span>,
        'Outcome',
        'IP',
        'User',
        'Endpoint',
      ]}
    >
      {events.map((event) => (
        <tr key={event.id} data-testid="security-event">
          <td className="whitespace-nowrap px-3 py-2">
            {detailHref ? (
              <Link to={detailHref(event.id)} className="text-indigo-700 hover:underline">
                {formatUtc(event.lastSeenAt, { seconds: true })}
              </Link>
            ) : (
              formatUtc(event.lastSeenAt, { seconds: true })
            )}
          </td>
          {showOrganization ? <td className="px-3 py-2">{event.organizationName ?? 'None'}</td> : null}
          <td className="px-3 py-2">{TYPE_LABELS[event.type]}</td>
          <td className="px-3 py-2">
            <SeverityBadge severity={event.severity} />
          </td>
          <td className="px-3 py-2 font-mono text-xs">{event.ruleId}</td>
          <td className="px-3 py-2 text-right">{event.count}</td>
          <td className="px-3 py-2">{event.blocked ? 'Blocked' : 'Recorded'}</td>
          <td className="px-3 py-2 font-mono text-xs">{event.ipAddress ?? '–'}</td>
          <td className="px-3 py-2">{event.userEmail ?? '–'}</td>
          <td className="max-w-48 truncate px-3 py-2 font-mono text-xs" title={event.endpoint ?? undefined}>
            {event.endpoint ?? '–'}
          </td>
        </tr>
      ))}
    </DataTable>
  )
}
