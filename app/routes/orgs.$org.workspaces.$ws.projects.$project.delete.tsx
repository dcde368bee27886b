import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { requireProject } from '~/access/resources.server'
import { requirePermission } from '~/access/tenant.server'
import { ConfirmDelete } from '~/components/confirm-delete'
import { deleteProject } from '~/models/project.server'

export const meta: MetaFunction = () => [{ title: 'Delete project · NextSaaS' }]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { tenant, project } = await requireProject(request, params, context)
  await requirePermission(tenant, 'project:delete', { workspaceId: project.workspace_id, projectId: project.id })
  return { project }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { tenant, workspace, project, actor } = await requireProject(request, params, context)
  await requirePermission(tenant, 'project:delete', { workspaceId: project.workspace_id, projectId: project.id })
  await deleteProject(actor, project.id)
  return redirect(`/orgs/${encodeURIComponent(tenant.organization.slug)}/workspaces/${encodeURIComponent(workspace.slug)}`)
}

export default function DeleteProject() {
  const { project } = useLoaderData<typeof loader>()
  return <ConfirmDelete what="project" name={project.name} consequence="The project and its settings are removed." cancelTo=".." />
}
