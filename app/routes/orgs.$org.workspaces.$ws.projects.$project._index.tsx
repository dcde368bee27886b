import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useFetcher, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { requireProject } from '~/access/resources.server'
import { useCan } from '~/access/tenant'
import { requirePermission } from '~/access/tenant.server'
import { buttonStyles, PageHeader } from '~/components/ui'
import { readForm } from '~/lib/forms.server'
import { setProjectStatus } from '~/models/project.server'

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.project.name ?? 'Project'} · NextSaaS` }]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { project } = await requireProject(request, params, context)
  return { project }
}

const StatusForm = z.object({ status: z.enum(['active', 'archived']) })

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { tenant, project, actor } = await requireProject(request, params, context)
  await requirePermission(tenant, 'project:update', { workspaceId: project.workspace_id, projectId: project.id })
  const parsed = StatusForm.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) throw new Response('Unknown status', { status: 400 })
  await setProjectStatus(actor, project.id, parsed.data.status)
  return redirect(new URL(request.url).pathname)
}

export default function ProjectPage() {
  const { project } = useLoaderData<typeof loader>()
  const can = useCan()
  const scope = { workspaceId: project.workspace_id, projectId: project.id }
  const fetcher = useFetcher()
  // Optimistic: show the new status as soon as the toggle is submitted.
  const status = (fetcher.formData?.get('status') as string | null) ?? project.status
  const archived = status === 'archived'
  return (
    <section>
      <PageHeader
        title={project.name}
        subtitle={archived ? 'Archived' : 'Active'}
        actions={
          <>
            {can('project:update', scope) ? (
              <>
                <fetcher.Form method="post">
                  <input type="hidden" name="status" value={archived ? 'active' : 'archived'} />
                  <button type="submit" className={buttonStyles.secondary}>
                    {archived ? 'Unarchive' : 'Archive'}
                  </button>
                </fetcher.Form>
                <Link to="edit" className={buttonStyles.secondary}>
                  Edit
                </Link>
              </>
            ) : null}
            {can('project:delete', scope) ? (
              <Link to="delete" className={buttonStyles.danger}>
                Delete…
              </Link>
            ) : null}
          </>
        }
      />
      <dl className="grid max-w-lg grid-cols-3 gap-2 text-sm">
        <dt className="text-slate-600">Slug</dt>
        <dd className="col-span-2 font-mono">{project.slug}</dd>
        <dt className="text-slate-600">Created</dt>
        <dd className="col-span-2">{new Date(project.created_at).toLocaleString('en-GB', { timeZone: 'UTC' })} UTC</dd>
      </dl>
      {project.description ? <p className="mt-6 whitespace-pre-wrap text-slate-800">{project.description}</p> : null}
    </section>
  )
}
