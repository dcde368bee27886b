import { parseWithZod } from '@conform-to/zod'
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { InviteForm } from '~/components/invite-form'
import { PageHeader } from '~/components/ui'
import { createInvitation } from '~/models/invitation.server'
import { invalid, readForm, replyToDomainError } from '~/utils/forms.server'
import { grantableRoles, sendInvitationEmail } from '~/utils/invitations.server'
import { enforceEndpointLimit } from '~/utils/rate-limit.server'
import { requirePermission, requireTenant } from '~/utils/tenant.server'
import { InvitationSchema } from '~/utils/validation'

export const meta: MetaFunction = () => [{ title: 'Invite a member · NextSaaS' }]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  await requirePermission(tenant, 'member:invite')
  return json({ roles: await grantableRoles(tenant) })
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  await requirePermission(tenant, 'member:invite')
  await enforceEndpointLimit(tenant, 'invite', request, context)
  const submission = parseWithZod(await readForm(request), { schema: InvitationSchema })
  if (submission.status !== 'success') return invalid(submission.reply())
  try {
    const { token } = await createInvitation(tenant.actor, tenant.permissions, submission.value)
    await sendInvitationEmail(context, {
      email: submission.value.email,
      token,
      organizationName: tenant.organization.name,
      inviterName: tenant.user.name,
    })
    return redirect(`/orgs/${encodeURIComponent(tenant.organization.slug)}/members?invited=${encodeURIComponent(submission.value.email)}`)
  } catch (error) {
    return replyToDomainError(submission, error)
  }
}

export default function InvitePage() {
  const { roles } = useLoaderData<typeof loader>()
  return (
    <section>
      <PageHeader title="Invite a member" />
      <InviteForm roles={roles} lastResult={useActionData<typeof action>()} />
    </section>
  )
}
