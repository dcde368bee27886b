import { json, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { requireOperator } from '~/access/operator.server'
import { EventFilterForm, EventTable, EVENT_FILTER_KEYS } from '~/components/security-events'
import { EmptyState, PageHeader, Pagination } from '~/components/ui'
import { readFilters } from '~/lib/filters'
import { parseListQuery } from '~/lib/pagination'
import { EventFilters, listAllSecurityEvents } from '~/models/security-event.server'

export const meta: MetaFunction = () => [{ title: 'Security log · NextSaaS' }]

const PAGE_SIZE = 50

/**
 * The instance operators' security log: every organization's events and the
 * ones outside any. Operators are named by SECURITY_OPERATOR_EMAILS and must
 * have verified that address (anyone can sign up with an unclaimed one); to
 * anyone else the page does not exist.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireOperator(request, context)
  const url = new URL(request.url)
  const { values, filters, errors } = readFilters(url, EVENT_FILTER_KEYS, EventFilters)
  if (!filters) return json({ values, errors, events: [], total: 0, page: 1, pageCount: 1 }, { status: 400 })
  const { page } = parseListQuery(url, PAGE_SIZE)
  const list = await listAllSecurityEvents(filters, { page, pageSize: PAGE_SIZE })
  return json({ values, errors, events: list.items, total: list.total, page, pageCount: Math.max(1, Math.ceil(list.total / PAGE_SIZE)) })
}

export default function SecurityLog() {
  const { values, errors, events, total, page, pageCount } = useLoaderData<typeof loader>()
  return (
    <section>
      <PageHeader title="Security log" subtitle={`All organizations · ${total} ${total === 1 ? 'event' : 'events'} matching`} />
      <EventFilterForm values={values} errors={errors} />
      {events.length === 0 ? (
        <EmptyState>{Object.keys(errors).length ? 'Fix the filters above to see events.' : 'No security events match.'}</EmptyState>
      ) : (
        <EventTable events={events} showOrganization />
      )}
      <Pagination page={page} pageCount={pageCount} />
    </section>
  )
}
