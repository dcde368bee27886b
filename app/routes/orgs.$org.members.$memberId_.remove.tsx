import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type AppLoadContext, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { memberOf } from '~/access/resources.server'
import { useOrganization } from '~/access/tenant'
import { requireTenant } from '~/access/tenant.server'
import { ConfirmDelete } from '~/components/confirm-delete'
import { invalid, readForm, replyToDomainError } from '~/lib/forms.server'
import { removeMember } from '~/models/member.server'

export const meta: MetaFunction = () => [{ title: 'Remove member · NextSaaS' }]

async function requireRemovable(request: Request, params: { org?: string; memberId?: string }, context: AppLoadContext) {
  const tenant = await requireTenant(request, params, context)
  return { tenant, member: await memberOf(tenant, params.memberId ?? '', 'member:remove') }
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { member } = await requireRemovable(request, params, context)
  return { member }
}

/** The confirmation page's form has nothing to fill in; conform still parses it, so a refusal comes back as its form error. */
const RemoveSchema = z.object({})

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { tenant, member } = await requireRemovable(request, params, context)
  const submission = parseWithZod(await readForm(request), { schema: RemoveSchema })
  if (submission.status !== 'success') return invalid(submission.reply())
  try {
    await removeMember(tenant.actor, tenant.permissions, member.id)
  } catch (error) {
    return replyToDomainError(submission, error)
  }
  return redirect(`/orgs/${encodeURIComponent(tenant.organization.slug)}/members`)
}

export default function RemoveMember() {
  const { member } = useLoaderData<typeof loader>()
  const lastResult = useActionData<typeof action>()
  const { organization } = useOrganization()
  return (
    <ConfirmDelete
      what="member"
      name={member.name}
      consequence="They lose access to this organization at once."
      cancelTo={`/orgs/${organization.slug}/members/${member.id}`}
      error={lastResult?.error?.['']?.[0]}
    />
  )
}
