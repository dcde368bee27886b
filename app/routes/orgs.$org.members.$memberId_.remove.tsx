import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { ConfirmDelete } from '~/components/confirm-delete'
import { DomainError, notFound } from '~/lib/errors'
import { findMember, removeMember } from '~/models/member.server'
import { useOrganization } from '~/access/tenant'
import { requirePermission, requireTenant } from '~/access/tenant.server'

export const meta: MetaFunction = () => [{ title: 'Remove member · NextSaaS' }]

async function requireRemovable(request: Request, params: { org?: string; memberId?: string }, context: Parameters<typeof requireTenant>[2]) {
  const tenant = await requireTenant(request, params, context)
  await requirePermission(tenant, 'member:remove')
  const member = await findMember(tenant.actor, params.memberId ?? '')
  if (!member) throw notFound('Member not found')
  return { tenant, member }
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { member } = await requireRemovable(request, params, context)
  return json({ member })
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { tenant, member } = await requireRemovable(request, params, context)
  try {
    await removeMember(tenant.actor, tenant.permissions, member.id)
  } catch (error) {
    if (error instanceof DomainError) return json({ error: error.message }, { status: error.code === 'LAST_OWNER' ? 409 : 403 })
    throw error
  }
  return redirect(`/orgs/${encodeURIComponent(tenant.organization.slug)}/members`)
}

export default function RemoveMember() {
  const { member } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const { organization } = useOrganization()
  return (
    <ConfirmDelete
      what="member"
      name={member.name}
      consequence="They lose access to this organization at once."
      cancelTo={`/orgs/${organization.slug}/members/${member.id}`}
      error={result?.error}
    />
  )
}
