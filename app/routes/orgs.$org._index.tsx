import { json, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData, useRouteError } from '@remix-run/react'
import { useCan, useOrganization } from '~/access/tenant'
import { requireTenant, requireWorkspaceList } from '~/access/tenant.server'
import { ErrorPage } from '~/components/error-page'
import { buttonStyles, EmptyState, PageHeader, Pagination, SortControl } from '~/components/ui'
import { parseListQuery } from '~/lib/pagination'
import { listWorkspaces } from '~/models/workspace.server'

export const meta: MetaFunction = () => [{ title: 'Workspaces · NextSaaS' }]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  await requireWorkspaceList(tenant)
  const query = parseListQuery(request.url, 12)
  return json({ workspaces: await listWorkspaces(tenant.actor, query), sort: query.sort })
}

export default function OrganizationHome() {
  const { workspaces, sort } = useLoaderData<typeof loader>()
  const { organization } = useOrganization()
  const can = useCan()
  const base = `/orgs/${organization.slug}`
  return (
    <section>
      <PageHeader
        title="Workspaces"
        subtitle={`${workspaces.total} ${workspaces.total === 1 ? 'workspace' : 'workspaces'}`}
        actions={
          can('workspace:create') ? (
            <Link to={`${base}/workspaces/new`} className={buttonStyles.primary}>
              New workspace
            </Link>
          ) : null
        }
      />
      <div className="mb-4 flex justify-end">
        <SortControl sort={sort} />
      </div>
      {workspaces.items.length === 0 ? (
        <EmptyState>
          No workspaces here.{' '}
          {can('workspace:create') ? (
            <Link to={`${base}/workspaces/new`} className="text-indigo-700 hover:underline">
              Create the first one.
            </Link>
          ) : (
            'Ask an admin to create one.'
          )}
        </EmptyState>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {workspaces.items.map((ws) => (
            <li key={ws.id} data-testid="workspace-card">
              <Link
                to={`${base}/workspaces/${ws.slug}`}
                className="block h-full rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:shadow focus:outline-none focus:ring-2 focus:ring-indigo-500"
                style={{ borderTopColor: ws.color, borderTopWidth: 4 }}
              >
                <span className="flex items-center gap-2">
                  <span aria-hidden="true" className="text-2xl">
                    {ws.icon}
                  </span>
                  <span className="font-medium">{ws.name}</span>
                  {ws.is_default ? <span className="ml-auto rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-700">Default</span> : null}
                </span>
                {ws.description ? <span className="mt-2 block text-sm text-slate-600">{ws.description}</span> : null}
                <span className="mt-2 block text-xs text-slate-500">
                  {ws.project_count} {ws.project_count === 1 ? 'project' : 'projects'}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      <Pagination page={workspaces.page} pageCount={workspaces.pageCount} />
    </section>
  )
}

/** A role that sees no workspace (the Auditor) is told so inside the organization, whose menu shows what it may open. */
export function ErrorBoundary() {
  return <ErrorPage error={useRouteError()} />
}
