import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useActionData } from '@remix-run/react'
import { requireWorkspace } from '~/access/resources.server'
import { requirePermission } from '~/access/tenant.server'
import { ProjectForm } from '~/components/project-form'
import { PageHeader } from '~/components/ui'
import { invalid, readForm, replyToDomainError } from '~/lib/forms.server'
import { ProjectSchema } from '~/lib/validation'
import { createProject } from '~/models/project.server'

export const meta: MetaFunction = () => [{ title: 'New project · NextSaaS' }]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { tenant, workspace } = await requireWorkspace(request, params, context)
  await requirePermission(tenant, 'project:create', { workspaceId: workspace.id })
  return {}
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { tenant, workspace, actor } = await requireWorkspace(request, params, context)
  await requirePermission(tenant, 'project:create', { workspaceId: workspace.id })
  const submission = parseWithZod(await readForm(request), { schema: ProjectSchema })
  if (submission.status !== 'success') return invalid(submission.reply())
  try {
    const project = await createProject(actor, workspace.id, submission.value)
    return redirect(
      `/orgs/${encodeURIComponent(tenant.organization.slug)}/workspaces/${encodeURIComponent(workspace.slug)}/projects/${encodeURIComponent(project.slug)}`,
    )
  } catch (error) {
    return replyToDomainError(submission, error)
  }
}

export default function NewProject() {
  return (
    <section>
      <PageHeader title="New project" />
      <ProjectForm lastResult={useActionData<typeof action>()} submitLabel="Create project" />
    </section>
  )
}
