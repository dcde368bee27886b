import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useActionData } from '@remix-run/react'
import { requirePermission, requireTenant } from '~/access/tenant.server'
import { PageHeader } from '~/components/ui'
import { WorkspaceForm } from '~/components/workspace-form'
import { invalid, readForm, replyToDomainError } from '~/lib/forms.server'
import { WorkspaceSchema } from '~/lib/validation'
import { createWorkspace } from '~/models/workspace.server'

export const meta: MetaFunction = () => [{ title: 'New workspace · NextSaaS' }]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  await requirePermission(tenant, 'workspace:create')
  return {}
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  await requirePermission(tenant, 'workspace:create')
  const submission = parseWithZod(await readForm(request), { schema: WorkspaceSchema })
  if (submission.status !== 'success') return invalid(submission.reply())
  try {
    const workspace = await createWorkspace(tenant.actor, submission.value)
    return redirect(`/orgs/${encodeURIComponent(tenant.organization.slug)}/workspaces/${encodeURIComponent(workspace.slug)}`)
  } catch (error) {
    return replyToDomainError(submission, error)
  }
}

export default function NewWorkspace() {
  return (
    <section>
      <PageHeader title="New workspace" subtitle="Workspaces group the projects of a team or a topic." />
      <WorkspaceForm lastResult={useActionData<typeof action>()} submitLabel="Create workspace" />
    </section>
  )
}
