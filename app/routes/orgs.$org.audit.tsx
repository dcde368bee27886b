import { type LoaderFunctionArgs, type MetaFunction, data } from '@remix-run/node'
import { useLoaderData, useParams } from '@remix-run/react'
import { requirePermission, requireTenant } from '~/access/tenant.server'
import { FilterForm, FilterInput, FilterSelect } from '~/components/filter-form'
import { buttonStyles, DataTable, EmptyState, PageHeader, Pagination } from '~/components/ui'
import { formatUtc } from '~/lib/dates'
import { filterValues, givenFilters, type FilterErrors } from '~/lib/filters'
import { parseListQuery } from '~/lib/pagination'
import { AuditLogFilters, backwardRange, listAuditLogs, type AuditResult } from '~/models/audit.server'
import { listMemberChoices } from '~/models/member.server'

export const meta: MetaFunction = () => [{ title: 'Audit log · NextSaaS' }]

const PAGE_SIZE = 25
const FILTER_KEYS = ['action', 'resourceType', 'userId', 'result', 'from', 'to'] as const
type Errors = FilterErrors<(typeof FILTER_KEYS)[number]>

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  await requirePermission(tenant, 'audit:view')
  const url = new URL(request.url)
  const values = filterValues(url, FILTER_KEYS)
  // The log names its actors anyway: whoever may read it may pick among the members.
  const members = await listMemberChoices(tenant.actor)
  const parsed = AuditLogFilters.safeParse(givenFilters(values))
  const backward = parsed.success ? backwardRange(parsed.data) : undefined
  if (!parsed.success || backward) {
    const errors: Errors = parsed.success ? { to: [backward!] } : parsed.error.flatten().fieldErrors
    return data({ values, errors, members, entries: [], total: 0, page: 1, pageCount: 1 }, { status: 400 })
  }
  const list = await listAuditLogs(tenant.actor, { ...parsed.data, ...parseListQuery(url, PAGE_SIZE) })
  return { values, errors: {} as Errors, members, entries: list.items, total: list.total, page: list.page, pageCount: list.pageCount }
}

const RESULT_STYLE: Record<AuditResult, string> = {
  success: 'bg-emerald-50 text-emerald-800',
  failure: 'bg-amber-100 text-amber-800',
  error: 'bg-red-100 text-red-800',
}
const RESULTS = Object.keys(RESULT_STYLE) as AuditResult[]

export default function AuditLog() {
  const { values, errors, members, entries, total, page, pageCount } = useLoaderData<typeof loader>()
  const memberOptions = members.map((m) => ({ value: m.userId, label: `${m.name} (${m.email})` }))
  // Someone who has left is no longer listed, but their entries can still be asked for (and the choice kept).
  if (values.userId && !members.some((m) => m.userId === values.userId)) memberOptions.push({ value: values.userId, label: 'Not a current member' })
  const filtered = Object.values(values).some(Boolean)
  /** The export of what the page shows (all pages), as a plain link: the file streams from a route of its own. */
  const { org } = useParams()
  const exportHref = (format: string) => `/orgs/${org}/audit/export?${new URLSearchParams({ ...givenFilters(values), format })}`
  return (
    <section>
      <PageHeader
        title="Audit log"
        subtitle={`${total} ${total === 1 ? 'entry' : 'entries'}${filtered ? ' matching' : ''}`}
        actions={
          Object.keys(errors).length ? null : (
            <>
              <a href={exportHref('csv')} className={buttonStyles.secondary} download>
                Export CSV
              </a>
              <a href={exportHref('ndjson')} className={buttonStyles.secondary} download>
                Export NDJSON
              </a>
            </>
          )
        }
      />
      <FilterForm>
        <FilterInput name="action" label="Action" value={values.action} errors={errors.action} placeholder="workspace. or workspace.created" />
        <FilterInput name="resourceType" label="Resource type" value={values.resourceType} errors={errors.resourceType} placeholder="workspace" />
        <FilterSelect name="userId" label="Member" value={values.userId} errors={errors.userId} all="Anyone" options={memberOptions} />
        <FilterSelect
          name="result"
          label="Result"
          value={values.result}
          errors={errors.result}
          all="Any result"
          options={RESULTS.map((r) => ({ value: r, label: r }))}
        />
        <FilterInput name="from" label="From (UTC)" type="date" value={values.from} errors={errors.from} />
        <FilterInput name="to" label="To (UTC)" type="date" value={values.to} errors={errors.to} />
      </FilterForm>
      {entries.length === 0 ? (
        <EmptyState>
          {Object.keys(errors).length
            ? 'Fix the filters above to see entries.'
            : filtered
              ? 'No entries match these filters.'
              : 'Nothing has been recorded yet.'}
        </EmptyState>
      ) : (
        <DataTable headings={['Time', 'Actor', 'Action', 'Resource', 'Result', 'IP']}>
          {entries.map((entry) => (
            <tr key={entry.id} data-testid="audit-entry">
              <td className="whitespace-nowrap px-3 py-2">{formatUtc(entry.createdAt, { seconds: true })}</td>
              <td className="px-3 py-2">
                {entry.userName ?? (entry.userId ? 'Former member' : 'Deleted account')}
                {entry.userEmail ? <span className="block text-xs text-slate-500">{entry.userEmail}</span> : null}
              </td>
              <td className="px-3 py-2 font-mono text-xs">{entry.action}</td>
              <td className="px-3 py-2">
                {entry.resourceType}
                {entry.resourceId ? (
                  <span className="block max-w-48 truncate font-mono text-xs text-slate-500" title={entry.resourceId}>
                    {entry.resourceId}
                  </span>
                ) : null}
              </td>
              <td className="px-3 py-2">
                <span className={`rounded px-2 py-0.5 text-xs font-medium ${RESULT_STYLE[entry.result]}`}>{entry.result}</span>
              </td>
              <td className="px-3 py-2 font-mono text-xs">{entry.ipAddress ?? '–'}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pagination page={page} pageCount={pageCount} />
    </section>
  )
}
