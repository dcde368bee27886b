import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { invite } from '~/access/invitations.server'
import { grantableRoles } from '~/access/roles.server'
import { requirePermission, requireTenant } from '~/access/tenant.server'
import { InviteForm } from '~/components/invite-form'
import { PageHeader } from '~/components/ui'
import { invalid, readForm, replyToDomainError } from '~/lib/forms.server'
import { InvitationSchema } from '~/lib/validation'
import { enforceEndpointLimit } from '~/rate-limit/guards.server'

export const meta: MetaFunction = () => [{ title: 'Invite a member · NextSaaS' }]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  await requirePermission(tenant, 'member:invite')
  return { roles: await grantableRoles(tenant) }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  await requirePermission(tenant, 'member:invite')
  await enforceEndpointLimit(tenant, 'invite', request, context)
  const submission = parseWithZod(await readForm(request), { schema: InvitationSchema })
  if (submission.status !== 'success') return invalid(submission.reply())
  let mailed: boolean
  try {
    ;({ mailed } = await invite(tenant, submission.value, context))
  } catch (error) {
    return replyToDomainError(submission, error)
  }
  const { email } = submission.value
  if (!mailed) {
    return invalid(
      submission.reply({
        formErrors: [
          `The invitation to ${email} was saved, but the email could not be sent. Use “Resend” next to it on the members page to try again.`,
        ],
      }),
    )
  }
  return redirect(`/orgs/${encodeURIComponent(tenant.organization.slug)}/members?invited=${encodeURIComponent(email)}`)
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
