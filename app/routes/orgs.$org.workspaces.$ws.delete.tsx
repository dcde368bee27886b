import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, data } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { requireWorkspace } from '~/access/resources.server'
import { requirePermission } from '~/access/tenant.server'
import { ConfirmDelete } from '~/components/confirm-delete'
import { DomainError } from '~/lib/errors'
import { workspaceDeletionScope } from '~/lib/permissions'
import { deleteWorkspace } from '~/models/workspace.server'

export const meta: MetaFunction = () => [{ title: 'Delete workspace · NextSaaS' }]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { tenant, workspace } = await requireWorkspace(request, params, context)
  await requirePermission(tenant, 'workspace:delete', workspaceDeletionScope(workspace))
  return { workspace }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { tenant, workspace, actor } = await requireWorkspace(request, params, context)
  await requirePermission(tenant, 'workspace:delete', workspaceDeletionScope(workspace))
  try {
    await deleteWorkspace(actor, workspace.id)
  } catch (error) {
    if (error instanceof DomainError && error.code === 'LAST_WORKSPACE') return data({ error: error.message }, { status: 409 })
    throw error
  }
  return redirect(`/orgs/${encodeURIComponent(tenant.organization.slug)}`)
}

export default function DeleteWorkspace() {
  const { workspace } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  return <ConfirmDelete what="workspace" name={workspace.name} consequence="Its projects are deleted with it." cancelTo=".." error={result?.error} />
}
