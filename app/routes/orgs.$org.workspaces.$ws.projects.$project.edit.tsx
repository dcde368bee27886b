import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { requireProject } from '~/access/resources.server'
import { requirePermission } from '~/access/tenant.server'
import { ProjectForm } from '~/components/project-form'
import { PageHeader } from '~/components/ui'
import { invalid, readForm, replyToDomainError } from '~/lib/forms.server'
import { ProjectSchema } from '~/lib/validation'
import { updateProject } from '~/models/project.server'

export const meta: MetaFunction = () => [{ title: 'Edit project · NextSaaS' }]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { tenant, project } = await requireProject(request, params, context)
  await requirePermission(tenant, 'project:update', { workspaceId: project.workspace_id, projectId: project.id })
  return { project }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { tenant, workspace, project, actor } = await requireProject(request, params, context)
  await requirePermission(tenant, 'project:update', { workspaceId: project.workspace_id, projectId: project.id })
  const submission = parseWithZod(await readForm(request), { schema: ProjectSchema })
  if (submission.status !== 'success') return invalid(submission.reply())
  try {
    const updated = await updateProject(actor, project.id, submission.value)
    return redirect(
      `/orgs/${encodeURIComponent(tenant.organization.slug)}/workspaces/${encodeURIComponent(workspace.slug)}/projects/${encodeURIComponent(updated.slug)}`,
    )
  } catch (error) {
    return replyToDomainError(submission, error)
  }
}

export default function EditProject() {
  const { project } = useLoaderData<typeof loader>()
  return (
    <section>
      <PageHeader title={`Edit ${project.name}`} />
      <ProjectForm lastResult={useActionData<typeof action>()} defaultValue={project} submitLabel="Save project" />
    </section>
  )
}
