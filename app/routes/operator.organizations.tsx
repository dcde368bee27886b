import { getFormProps, type SubmissionResult } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { requireOperator } from '~/access/operator.server'
import { ErrorList, useValidatedForm } from '~/components/forms'
import { buttonStyles, DataTable, EmptyState, PageHeader, Pagination } from '~/components/ui'
import { invalid, readForm } from '~/lib/forms.server'
import { parseListQuery } from '~/lib/pagination'
import { clientOf } from '~/lib/request-context'
import { listAllOrganizations, setOrganizationStatus } from '~/models/organization.server'

export const meta: MetaFunction = () => [{ title: 'Organizations · NextSaaS' }]

const PAGE_SIZE = 50

/**
 * The instance operators' list of organizations (SECURITY_OPERATOR_EMAILS,
 * verified), where they suspend one — read-only for its members, every page
 * of it says so — and reactivate it. To anyone else the page does not exist.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireOperator(request, context)
  const url = new URL(request.url)
  const find = (url.searchParams.get('find') ?? '').trim().slice(0, 100)
  return { find, organizations: await listAllOrganizations(find, parseListQuery(url, PAGE_SIZE)) }
}

const StatusChange = z.object({
  organizationId: z.string({ required_error: 'Choose an organization' }).uuid('Not an organization'),
  status: z.enum(['active', 'suspended'], { message: 'Use active or suspended' }),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const operator = await requireOperator(request, context)
  const submission = parseWithZod(await readForm(request), { schema: StatusChange })
  if (submission.status !== 'success') return invalid(submission.reply())
  const { organizationId, status } = submission.value
  const changed = await setOrganizationStatus({ userId: operator.id, ...clientOf(request, context) }, organizationId, status)
  if (!changed) return data(submission.reply({ formErrors: [`The organization is not there, or is already ${status}`] }), { status: 409 })
  const url = new URL(request.url)
  return redirect(`${url.pathname}${url.search}`)
}

function StatusButton({ id, status, lastResult }: { id: string; status: string; lastResult?: SubmissionResult<string[]> }) {
  const sent = lastResult?.initialValue as Record<string, unknown> | undefined
  const [form] = useValidatedForm({ id: `status-${id}`, schema: StatusChange, lastResult: sent?.organizationId === id ? lastResult : null })
  const next = status === 'suspended' ? 'active' : 'suspended'
  return (
    <Form method="post" {...getFormProps(form)} className="flex flex-col items-end">
      <input type="hidden" name="organizationId" value={id} />
      <button type="submit" name="status" value={next} className={next === 'suspended' ? buttonStyles.danger : buttonStyles.secondary}>
        {next === 'suspended' ? 'Suspend' : 'Reactivate'}
      </button>
      <ErrorList id={form.errorId} errors={form.errors} />
    </Form>
  )
}

export default function OperatorOrganizations() {
  const { find, organizations } = useLoaderData<typeof loader>()
  const lastResult = useActionData<typeof action>()
  return (
    <section className="flex flex-col gap-4">
      <PageHeader
        title="Organizations"
        subtitle={`All of this instance · ${organizations.total} ${find ? 'matching' : 'in all'}`}
        actions={
          <Link to="/security" className={buttonStyles.secondary}>
            Security log
          </Link>
        }
      />
      <Form method="get" role="search" className="flex items-end gap-2">
        <div className="flex flex-col gap-1">
          <label htmlFor="find" className="text-sm font-medium">
            Name or slug
          </label>
          <input
            id="find"
            name="find"
            type="search"
            defaultValue={find}
            maxLength={100}
            className="rounded-md border border-slate-300 px-3 py-2 shadow-sm"
          />
        </div>
        <button type="submit" className={buttonStyles.secondary}>
          Search
        </button>
      </Form>
      {organizations.items.length === 0 ? (
        <EmptyState>No organization matches.</EmptyState>
      ) : (
        <DataTable headings={['Organization', 'Members', 'Created', 'Status', '']}>
          {organizations.items.map((o) => (
            <tr key={o.id}>
              <td className="px-3 py-2">
                <span className="font-medium">{o.name}</span>
                <span className="block text-xs text-slate-500">{o.slug}</span>
              </td>
              <td className="px-3 py-2">{o.memberCount}</td>
              <td className="px-3 py-2 text-slate-600">{new Date(o.createdAt).toISOString().slice(0, 10)}</td>
              <td className="px-3 py-2">{o.status}</td>
              <td className="px-3 py-2">
                <StatusButton id={o.id} status={o.status} lastResult={lastResult} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pagination page={organizations.page} pageCount={organizations.pageCount} />
    </section>
  )
}
