import { type LoaderFunctionArgs, type MetaFunction, type SerializeFrom } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { requireWorkspace } from '~/access/resources.server'
import { useCan } from '~/access/tenant'
import { buttonStyles, EmptyState, PageHeader, Pagination, SortControl } from '~/components/ui'
import { parseListQuery } from '~/lib/pagination'
import { seesProjectsIn } from '~/lib/permissions'
import { listProjects } from '~/models/project.server'

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.workspace.name ?? 'Workspace'} · NextSaaS` }]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { tenant, workspace, actor } = await requireWorkspace(request, params, context)
  const query = parseListQuery(request.url, 20)
  // A workspace may be visible without its projects (workspace:view alone).
  const projects = seesProjectsIn(tenant.permissions, tenant.grants, workspace.id) ? await listProjects(actor, workspace.id, query) : null
  return { workspace, projects, sort: query.sort }
}

export default function WorkspacePage() {
  const { workspace, projects, sort } = useLoaderData<typeof loader>()
  const can = useCan()
  const scope = { workspaceId: workspace.id }
  return (
    <section>
      <PageHeader
        title={
          <>
            <span aria-hidden="true">{workspace.icon}</span> {workspace.name}
          </>
        }
        subtitle={workspace.description || undefined}
        actions={
          <>
            {can('project:create', scope) ? (
              <Link to="projects/new" className={buttonStyles.primary}>
                New project
              </Link>
            ) : null}
            {can('workspace:update', scope) ? (
              <Link to="edit" className={buttonStyles.secondary}>
                Edit workspace
              </Link>
            ) : null}
          </>
        }
      />
      {projects === null ? (
        <EmptyState>Your role does not show this workspace’s projects.</EmptyState>
      ) : (
        <ProjectList projects={projects} sort={sort} canCreate={can('project:create', scope)} />
      )}
    </section>
  )
}

type LoaderData = SerializeFrom<typeof loader>

function ProjectList({ projects, sort, canCreate }: { projects: NonNullable<LoaderData['projects']>; sort: LoaderData['sort']; canCreate: boolean }) {
  return (
    <>
      <div className="mb-4 flex items-center justify-between gap-4">
        <h2 className="text-lg font-semibold">
          Projects <span className="text-sm font-normal text-slate-600">({projects.total})</span>
        </h2>
        <SortControl sort={sort} />
      </div>
      {projects.items.length === 0 ? (
        <EmptyState>
          No projects yet.{' '}
          {canCreate ? (
            <Link to="projects/new" className="text-indigo-700 hover:underline">
              Create the first project.
            </Link>
          ) : null}
        </EmptyState>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
          {projects.items.map((p) => (
            <li key={p.id}>
              <Link
                to={`projects/${p.slug}`}
                className="flex items-center justify-between gap-4 px-4 py-3 hover:bg-slate-50 focus:bg-slate-50 focus:outline-none"
              >
                <span className="font-medium">{p.name}</span>
                {p.status === 'archived' ? <span className="rounded bg-amber-100 px-2 py-0.5 text-xs text-amber-800">Archived</span> : null}
              </Link>
            </li>
          ))}
        </ul>
      )}
      <Pagination page={projects.page} pageCount={projects.pageCount} />
    </>
  )
}
