import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { InviteForm } from '~/components/invite-form'
import { buttonStyles, PageHeader, Pagination } from '~/components/ui'
import { listPendingInvitations, resendInvitation, revokeInvitation } from '~/models/invitation.server'
import { listMembers } from '~/models/member.server'
import { parseListQuery } from '~/utils/pagination'
import { grantableRoles, sendInvitationEmail } from '~/utils/invitations.server'
import { requirePermission, requireTenant, can } from '~/utils/tenant.server'
import { readForm } from '~/utils/forms.server'

export const meta: MetaFunction = () => [{ title: 'Members · NextSaaS' }]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  await requirePermission(tenant, 'member:view')
  const inviting = can(tenant, 'member:invite')
  return json({
    members: await listMembers(tenant.actor, parseListQuery(request.url, 25)),
    invitations: inviting ? await listPendingInvitations(tenant.actor) : [],
    roles: inviting ? await grantableRoles(tenant) : [],
  })
}

const InvitationAction = z.object({ intent: z.enum(['resend', 'revoke']), invitationId: z.string().uuid() })

export async function action({ request, params, context }: ActionFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  await requirePermission(tenant, 'member:invite')
  const parsed = InvitationAction.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) throw new Response('Unknown invitation action', { status: 400 })
  if (parsed.data.intent === 'revoke') {
    await revokeInvitation(tenant.actor, parsed.data.invitationId)
  } else {
    const { email, token } = await resendInvitation(tenant.actor, parsed.data.invitationId)
    await sendInvitationEmail(context, { email, token, organizationName: tenant.organization.name, inviterName: tenant.user.name })
  }
  return redirect(new URL(request.url).pathname)
}

const STATUS_STYLE = { active: 'bg-emerald-50 text-emerald-800', suspended: 'bg-amber-100 text-amber-800', invited: 'bg-slate-100 text-slate-700' }

export default function Members() {
  const { members, invitations, roles } = useLoaderData<typeof loader>()
  const [params] = useSearchParams()
  const invited = params.get('invited')
  return (
    <section className="flex flex-col gap-8">
      <div>
        <PageHeader title="Members" subtitle={`${members.total} ${members.total === 1 ? 'member' : 'members'}`} />
        {invited ? <p role="status" className="mb-4 rounded-md bg-emerald-50 p-3 text-sm text-emerald-800">Invitation sent to {invited}.</p> : null}
        {roles.length ? <div className="mb-6 rounded-lg border border-slate-200 bg-white p-4"><InviteForm roles={roles} /></div> : null}
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="w-full text-left text-sm">
            <thead className="bg-slate-50 text-slate-600">
              <tr><th className="px-4 py-2">Name</th><th className="px-4 py-2">Role</th><th className="px-4 py-2">Status</th><th className="px-4 py-2">Joined</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {members.items.map((m) => (
                <tr key={m.id}>
                  <td className="px-4 py-2">
                    <Link to={m.id} className="font-medium text-indigo-700 hover:underline">{m.name}</Link>
                    <span className="block text-xs text-slate-500">{m.email}</span>
                  </td>
                  <td className="px-4 py-2">
                    {m.roleName}
                    {m.grants.length ? <span className="block text-xs text-slate-500">+{m.grants.length} scoped {m.grants.length === 1 ? 'grant' : 'grants'}</span> : null}
                  </td>
                  <td className="px-4 py-2"><span className={`rounded px-2 py-0.5 text-xs ${STATUS_STYLE[m.status]}`}>{m.status}</span></td>
                  <td className="px-4 py-2 text-slate-600">{m.joinedAt ? new Date(m.joinedAt).toISOString().slice(0, 10) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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
                <span className="flex gap-2">
                  {(['resend', 'revoke'] as const).map((intent) => (
                    <Form method="post" key={intent}>
                      <input type="hidden" name="invitationId" value={i.id} />
                      <button type="submit" name="intent" value={intent} className={intent === 'revoke' ? buttonStyles.danger : buttonStyles.secondary}>
                        {intent === 'revoke' ? 'Revoke' : 'Resend'}
                      </button>
                    </Form>
                  ))}
                </span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  )
}
