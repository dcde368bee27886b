import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { requireWorkspace } from '~/access/resources.server'
import { useCan } from '~/access/tenant'
import { requirePermission } from '~/access/tenant.server'
import { buttonStyles, PageHeader } from '~/components/ui'
import { WorkspaceForm } from '~/components/workspace-form'
import { invalid, readForm, replyToDomainError } from '~/lib/forms.server'
import { workspaceDeletionScope } from '~/lib/permissions'
import { WorkspaceSchema } from '~/lib/validation'
import { makeDefaultWorkspace, updateWorkspace } from '~/models/workspace.server'

export const meta: MetaFunction = () => [{ title: 'Edit workspace · NextSaaS' }]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { tenant, workspace } = await requireWorkspace(request, params, context)
  await requirePermission(tenant, 'workspace:update', { workspaceId: workspace.id })
  return { workspace }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { tenant, workspace, actor } = await requireWorkspace(request, params, context)
  await requirePermission(tenant, 'workspace:update', { workspaceId: workspace.id })
  const base = `/orgs/${encodeURIComponent(tenant.organization.slug)}/workspaces`
  const formData = await readForm(request)
  if (formData.get('intent') === 'make-default') {
    // Moving the default changes another workspace too: an organization-wide permission, not a grant on this one.
    await requirePermission(tenant, 'workspace:update')
    await makeDefaultWorkspace(actor, workspace.id)
    return redirect(`${base}/${encodeURIComponent(workspace.slug)}`)
  }
  const submission = parseWithZod(formData, { schema: WorkspaceSchema })
  if (submission.status !== 'success') return invalid(submission.reply())
  try {
    const updated = await updateWorkspace(actor, workspace.id, submission.value)
    return redirect(`${base}/${encodeURIComponent(updated.slug)}`)
  } catch (error) {
    return replyToDomainError(submission, error)
  }
}

export default function EditWorkspace() {
  const { workspace } = useLoaderData<typeof loader>()
  const can = useCan()
  return (
    <section className="flex flex-col gap-8">
      <div>
        <PageHeader title={`Edit ${workspace.name}`} />
        <WorkspaceForm lastResult={useActionData<typeof action>()} defaultValue={workspace} submitLabel="Save workspace" />
      </div>
      <div className="flex flex-wrap items-center gap-3 border-t border-slate-200 pt-6">
        {workspace.is_default ? (
          <p className="text-sm text-slate-600">This is the organization’s default workspace.</p>
        ) : can('workspace:update') ? (
          <Form method="post">
            <input type="hidden" name="intent" value="make-default" />
            <button type="submit" className={buttonStyles.secondary}>
              Make default workspace
            </button>
          </Form>
        ) : null}
        {can('workspace:delete', workspaceDeletionScope(workspace)) ? (
          <Link to="../delete" relative="path" className={buttonStyles.danger}>
            Delete workspace…
          </Link>
        ) : null}
      </div>
    </section>
  )
}
