import { getFormProps, type SubmissionResult } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { resend } from '~/access/invitations.server'
import { grantableRoles } from '~/access/roles.server'
import { requirePermission, requireTenant, can } from '~/access/tenant.server'
import { ErrorList, useValidatedForm } from '~/components/forms'
import { InviteForm } from '~/components/invite-form'
import { buttonStyles, DataTable, PageHeader, Pagination } from '~/components/ui'
import { DomainError } from '~/lib/errors'
import { invalid, readForm, replyToDomainError } from '~/lib/forms.server'
import { parseListQuery } from '~/lib/pagination'
import { listPendingInvitations, revokeInvitation } from '~/models/invitation.server'
import { listMembers } from '~/models/member.server'

export const meta: MetaFunction = () => [{ title: 'Members · NextSaaS' }]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  await requirePermission(tenant, 'member:view')
  const inviting = can(tenant, 'member:invite')
  return {
    members: await listMembers(tenant.actor, parseListQuery(request.url, 25)),
    invitations: inviting ? await listPendingInvitations(tenant.actor) : [],
    roles: inviting ? await grantableRoles(tenant) : [],
  }
}

const InvitationAction = z.object({
  intent: z.enum(['resend', 'revoke'], { message: 'Choose resend or revoke' }),
  invitationId: z.string({ required_error: 'Choose an invitation' }).uuid('Not an invitation'),
})

export async function action({ request, params, context }: ActionFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  await requirePermission(tenant, 'member:invite')
  const submission = parseWithZod(await readForm(request), { schema: InvitationAction })
  if (submission.status !== 'success') return invalid(submission.reply())
  const { intent, invitationId } = submission.value
  try {
    if (intent === 'revoke') {
      await revokeInvitation(tenant.actor, invitationId)
    } else {
      const { email, mailed } = await resend(tenant, invitationId, request, context)
      if (!mailed) {
        const message = `The invitation to ${email} has a new link, but the email could not be sent. Try “Resend” again in a few minutes.`
        return data(submission.reply({ formErrors: [message] }), { status: 503 })
      }
    }
  } catch (error) {
    // A second click, or someone else was quicker: the invitation is no longer pending.
    if (error instanceof DomainError && error.code === 'NOT_FOUND') {
      return data(submission.reply({ formErrors: ['This invitation is no longer pending: it was revoked or accepted.'] }), { status: 404 })
    }
    return replyToDomainError(submission, error)
  }
  return redirect(new URL(request.url).pathname)
}

/** Resend and revoke, each with its answer beside the invitation it was about. */
function InvitationActions({ invitationId, lastResult }: { invitationId: string; lastResult?: SubmissionResult<string[]> }) {
  const sent = lastResult?.initialValue as Record<string, unknown> | undefined
  const [form] = useValidatedForm({
    id: `invitation-${invitationId}`,
    schema: InvitationAction,
    lastResult: sent?.invitationId === invitationId ? lastResult : null,
  })
  return (
    <Form method="post" {...getFormProps(form)} className="flex flex-col items-end gap-1">
      <input type="hidden" name="invitationId" value={invitationId} />
      <span className="flex gap-2">
        <button type="submit" name="intent" value="resend" className={buttonStyles.secondary}>
          Resend
        </button>
        <button type="submit" name="intent" value="revoke" className={buttonStyles.danger}>
          Revoke
        </button>
      </span>
      <ErrorList id={form.errorId} errors={form.errors} />
    </Form>
  )
}

const STATUS_STYLE = { active: 'bg-emerald-50 text-emerald-800', suspended: 'bg-amber-100 text-amber-800', invited: 'bg-slate-100 text-slate-700' }

export default function Members() {
  const { members, invitations, roles } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const [params] = useSearchParams()
  const invited = params.get('invited')
  // An answer about an invitation no longer listed (revoked, accepted, or never there) is shown above the list.
  const answered = (result?.initialValue as Record<string, unknown> | undefined)?.invitationId
  const unplaced = result?.error && !invitations.some((i) => i.id === answered) ? Object.values(result.error).flat() : []
  return (
    <section className="flex flex-col gap-8">
      <div>
        <PageHeader title="Members" subtitle={`${members.total} ${members.total === 1 ? 'member' : 'members'}`} />
        {invited ? (
          <p role="status" className="mb-4 rounded-md bg-emerald-50 p-3 text-sm text-emerald-800">
            Invitation sent to {invited}.
          </p>
        ) : null}
        {unplaced.length ? (
          <p role="alert" className="mb-4 rounded-md bg-red-50 p-3 text-sm text-red-800">
            {unplaced.join(' ')}
          </p>
        ) : null}
        {roles.length ? (
          <div className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
            <InviteForm roles={roles} />
          </div>
        ) : null}
        <DataTable headings={['Name', 'Role', 'Status', 'Joined']}>
          {members.items.map((m) => (
            <tr key={m.id}>
              <td className="px-3 py-2">
                <Link to={m.id} className="font-medium text-indigo-700 hover:underline">
                  {m.name}
                </Link>
                <span className="block text-xs text-slate-500">{m.email}</span>
              </td>
              <td className="px-3 py-2">
                {m.roleName}
                {m.grants.length ? (
                  <span className="block text-xs text-slate-500">
                    +{m.grants.length} scoped {m.grants.length === 1 ? 'grant' : 'grants'}
                  </span>
                ) : null}
              </td>
              <td className="px-3 py-2">
                <span className={`rounded px-2 py-0.5 text-xs ${STATUS_STYLE[m.status]}`}>{m.status}</span>
              </td>
              <td className="px-3 py-2 text-slate-600">{m.joinedAt ? new Date(m.joinedAt).toISOString().slice(0, 10) : '—'}</td>
            </tr>
          ))}
        </DataTable>
        <Pagination page={members.page} pageCount={members.pageCount} />
      </div>
      {invitations.length ? (
        <div>
          <h2 className="mb-2 text-lg font-semibold">Pending invitations</h2>
          <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
            {invitations.map((i) => (
              <li key={i.id} className="flex flex-wrap items-center justify-between gap-3 px-4 py-3 text-sm">
                <span>
                  <span className="font-medium">{i.email}</span> as {i.roleName}
                  <span className="block text-xs text-slate-500">
                    {new Date(i.expiresAt) < new Date() ? 'Expired' : `Expires ${new Date(i.expiresAt).toISOString().slice(0, 10)}`}
                    {i.invitedBy ? ` · invited by ${i.invitedBy}` : ''}
                  </span>
                </span>
                <InvitationActions invitationId={i.id} lastResult={result} />
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  )
}
