import { json, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { requirePermission, requireTenant } from '~/access/tenant.server'
import { EventFilterForm, EventsChart, EventTable, EVENT_FILTER_KEYS } from '~/components/security-events'
import { EmptyState, PageHeader, Pagination } from '~/components/ui'
import { readFilters } from '~/lib/filters'
import { parseListQuery } from '~/lib/pagination'
import { countSecurityEventsByDay, EventFilters, listSecurityEvents } from '~/models/security-event.server'

export const meta: MetaFunction = () => [{ title: 'Security events · NextSaaS' }]

const PAGE_SIZE = 25
const CHART_DAYS = 14
const MAX_CHART_DAYS = 92
const DAY_MS = 86_400_000

// PostgreSQL has no year zero: the chart never reaches back past 0001-01-01.
const FIRST_DAY = Date.parse('0001-01-01T00:00:00Z')

const isoDay = (time: number) => new Date(time).toISOString().slice(0, 10)
const dayTime = (day: string) => Date.parse(`${day}T00:00:00Z`)

/**
 * The chart's days: the filtered range, or the last two weeks; never more than
 * three months, never none (a start date after today with no end date charts that day).
 */
function chartDays(filters: EventFilters): string[] {
  const from = filters.from ? dayTime(filters.from) : undefined
  const until = filters.to ? dayTime(filters.to) : Math.max(dayTime(isoDay(Date.now())), from ?? FIRST_DAY)
  const since = Math.max(from ?? until - (CHART_DAYS - 1) * DAY_MS, until - (MAX_CHART_DAYS - 1) * DAY_MS, FIRST_DAY)
  return Array.from({ length: Math.round((until - since) / DAY_MS) + 1 }, (_, i) => isoDay(since + i * DAY_MS))
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  await requirePermission(tenant, 'security:view')
  const url = new URL(request.url)
  const { values, filters, errors } = readFilters(url, EVENT_FILTER_KEYS, EventFilters)
  if (!filters) return json({ values, errors, events: [], total: 0, page: 1, pageCount: 1, days: [], chart: [] }, { status: 400 })
  const { page } = parseListQuery(url, PAGE_SIZE)
  const days = chartDays(filters)
  const [list, chart] = await Promise.all([
    listSecurityEvents(tenant.actor, filters, { page, pageSize: PAGE_SIZE }),
    countSecurityEventsByDay(tenant.actor, filters, { since: days[0]!, until: days.at(-1)! }),
  ])
  return json({
    values,
    errors,
    events: list.items,
    total: list.total,
    page,
    pageCount: Math.max(1, Math.ceil(list.total / PAGE_SIZE)),
    days,
    chart,
  })
}

export default function SecurityEvents() {
  const { values, errors, events, total, page, pageCount, days, chart } = useLoaderData<typeof loader>()
  return (
    <section>
      <PageHeader title="Security events" subtitle={`${total} ${total === 1 ? 'event' : 'events'} matching`} />
      <EventFilterForm values={values} errors={errors} />
      {days.length ? (
        <div className="mb-6">
          <EventsChart days={days} counts={chart} />
        </div>
      ) : null}
      {events.length === 0 ? (
        <EmptyState>{Object.keys(errors).length ? 'Fix the filters above to see events.' : 'No security events match.'}</EmptyState>
      ) : (
        <EventTable events={events} detailHref={(id) => id} />
      )}
      <Pagination page={page} pageCount={pageCount} />
    </section>
  )
}
