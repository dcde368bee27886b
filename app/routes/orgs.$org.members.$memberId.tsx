import { json, redirect, type ActionFunctionArgs, type AppLoadContext, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { memberOf } from '~/access/resources.server'
import { grantableRoles } from '~/access/roles.server'
import { useCan, useOrganization } from '~/access/tenant'
import { requirePermission, requireTenant } from '~/access/tenant.server'
import { Select } from '~/components/forms'
import { buttonStyles, Breadcrumbs, PageHeader } from '~/components/ui'
import { DomainError, statusOf } from '~/lib/errors'
import { readForm } from '~/lib/forms.server'
import { type Permission, PERMISSIONS, tracePermissions } from '~/lib/permissions'
import { addGrant, listGrantTargets, removeGrant } from '~/models/grant.server'
import { changeMemberRole, setMemberStatus, transferOwnership } from '~/models/member.server'

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.member.name ?? 'Member'} · NextSaaS` }]

async function requireMember(request: Request, params: { org?: string; memberId?: string }, context: AppLoadContext) {
  const tenant = await requireTenant(request, params, context)
  return { tenant, member: await memberOf(tenant, params.memberId ?? '') }
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { tenant, member } = await requireMember(request, params, context)
  return json({
    member,
    trace: tracePermissions(member),
    roles: await grantableRoles(tenant),
    targets: await listGrantTargets(tenant.actor),
    isSelf: member.userId === tenant.user.id,
    isOwner: tenant.membership.role === 'owner',
  })
}

/** `workspace:<uuid>` or `project:<uuid>`, as the grant form's options are written. */
const GrantTarget = z.string().transform((value, ctx) => {
  const [kind, id, ...rest] = value.split(':')
  if ((kind === 'workspace' || kind === 'project') && rest.length === 0 && z.string().uuid().safeParse(id).success) return { kind, id: id! }
  ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'Choose a workspace or project' })
  return z.NEVER
})

const MemberAction = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('role'), role: z.string().min(1).max(64) }),
  z.object({ intent: z.enum(['suspend', 'reactivate']) }),
  z.object({ intent: z.literal('add-grant'), role: z.string().min(1).max(64), target: GrantTarget }),
  z.object({ intent: z.literal('remove-grant'), grantId: z.string().uuid() }),
  z.object({ intent: z.literal('transfer'), confirm: z.literal('on', { errorMap: () => ({ message: 'Tick the box to confirm the transfer' }) }) }),
])

const REQUIRED: Record<z.infer<typeof MemberAction>['intent'], Permission> = {
  role: 'member:update',
  suspend: 'member:update',
  reactivate: 'member:update',
  'add-grant': 'member:update',
  'remove-grant': 'member:update',
  transfer: 'organization:view',
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { tenant, member } = await requireMember(request, params, context)
  const form = Object.fromEntries(await readForm(request))
  // What was chosen, so that the grant form shows it again next to the error.
  const submitted = { role: String(form.role ?? ''), target: String(form.target ?? '') }
  const parsed = MemberAction.safeParse(form)
  if (!parsed.success) return json({ error: parsed.error.issues[0]?.message ?? 'Invalid request', submitted }, { status: 422 })
  const input = parsed.data
  await requirePermission(tenant, REQUIRED[input.intent])
  const held = tenant.permissions
  try {
    switch (input.intent) {
      case 'role':
        await changeMemberRole(tenant.actor, held, member.id, input.role)
        break
      case 'suspend':
      case 'reactivate':
        await setMemberStatus(tenant.actor, held, member.id, input.intent === 'suspend' ? 'suspended' : 'active')
        break
      case 'add-grant': {
        const { kind, id } = input.target
        await addGrant(tenant.actor, held, member.id, { role: input.role, [kind === 'workspace' ? 'workspaceId' : 'projectId']: id })
        break
      }
      case 'remove-grant':
        await removeGrant(tenant.actor, held, member.id, input.grantId)
        break
      case 'transfer':
        await transferOwnership(tenant.actor, member.id)
        break
    }
  } catch (error) {
    if (!(error instanceof DomainError)) throw error
    return json({ error: error.message, submitted }, { status: statusOf(error.code) })
  }
  return redirect(new URL(request.url).pathname)
}

export default function MemberPage() {
  const { member, trace, roles, targets, isSelf, isOwner } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const submitted = result && 'submitted' in result ? result.submitted : undefined
  const { organization } = useOrganization()
  const can = useCan()
  const manage = can('member:update') && !isSelf
  return (
    <section className="flex flex-col gap-8">
      <div>
        <Breadcrumbs items={[{ to: `/orgs/${organization.slug}/members`, label: 'Members' }, { label: member.name }]} />
        <PageHeader title={member.name} subtitle={`${member.email} · ${member.roleName} · ${member.status}`} />
        {result && 'error' in result ? (
          <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-800">
            {result.error}
          </p>
        ) : null}
        {isSelf ? <p className="text-sm text-slate-600">This is you. Someone else has to change your membership.</p> : null}
      </div>

      {manage ? (
        <div className="flex flex-wrap items-end gap-4">
          <Form method="post" className="flex items-end gap-2">
            <input type="hidden" name="intent" value="role" />
            <div className="flex flex-col gap-1">
              <label htmlFor="role" className="text-sm font-medium">
                Organization role
              </label>
              <Select id="role" name="role" defaultValue={member.role}>
                {roles.map((r) => (
                  <option key={r.key} value={r.key}>
                    {r.name}
                  </option>
                ))}
              </Select>
            </div>
            <button type="submit" className={buttonStyles.secondary}>
              Change role
            </button>
          </Form>
          <Form method="post">
            <button type="submit" name="intent" value={member.status === 'suspended' ? 'reactivate' : 'suspend'} className={buttonStyles.secondary}>
              {member.status === 'suspended' ? 'Reactivate' : 'Suspend'}
            </button>
          </Form>
          {can('member:remove') ? (
            <Link to="remove" className={buttonStyles.danger}>
              Remove…
            </Link>
          ) : null}
        </div>
      ) : null}

      <div>
        <h2 className="mb-2 text-lg font-semibold">Scoped grants</h2>
        {member.grants.length === 0 ? (
          <p className="text-sm text-slate-600">No grants beyond the organization role.</p>
        ) : (
          <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white text-sm">
            {member.grants.map((g) => (
              <li key={g.id} className="flex items-center justify-between gap-3 px-4 py-2">
                <span>
                  {g.roleName} on {g.workspaceId ? 'workspace' : 'project'} “{g.resourceName}”
                </span>
                {manage ? (
                  <Form method="post">
                    <input type="hidden" name="grantId" value={g.id} />
                    <button type="submit" name="intent" value="remove-grant" className={buttonStyles.secondary}>
                      Remove
                    </button>
                  </Form>
                ) : null}
              </li>
            ))}
          </ul>
        )}
        {manage && targets.length ? (
          <Form method="post" className="mt-3 flex flex-wrap items-end gap-2">
            <input type="hidden" name="intent" value="add-grant" />
            <div className="flex flex-col gap-1">
              <label htmlFor="grant-role" className="text-sm font-medium">
                Role
              </label>
              <Select id="grant-role" name="role" defaultValue={submitted?.role || 'member'}>
                {roles.map((r) => (
                  <option key={r.key} value={r.key}>
                    {r.name}
                  </option>
                ))}
              </Select>
            </div>
            <div className="flex flex-col gap-1">
              <label htmlFor="grant-target" className="text-sm font-medium">
                On
              </label>
              <Select id="grant-target" name="target" defaultValue={submitted?.target}>
                {targets.map((t) => (
                  <option key={t.id} value={`${t.kind}:${t.id}`}>
                    {t.kind === 'workspace' ? 'Workspace' : 'Project'}: {t.name}
                  </option>
                ))}
              </Select>
            </div>
            <button type="submit" className={buttonStyles.secondary}>
              Add grant
            </button>
          </Form>
        ) : null}
      </div>

      <div>
        <h2 className="mb-2 text-lg font-semibold">Effective permissions</h2>
        <table className="w-full text-left text-sm">
          <thead className="text-slate-600">
            <tr>
              <th className="py-1 pr-4">Permission</th>
              <th className="py-1">Comes from</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200">
            {trace.map((t) => (
              <tr key={t.permission}>
                <td className="py-1 pr-4">
                  {PERMISSIONS[t.permission].label} <code className="text-xs text-slate-500">{t.permission}</code>
                </td>
                <td className="py-1 text-slate-700">{t.sources.join('; ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {isOwner && !isSelf && member.status === 'active' && member.role !== 'owner' ? (
        <Form method="post" className="max-w-lg rounded-lg border border-amber-200 bg-white p-4">
          <h2 className="text-lg font-semibold">Transfer ownership</h2>
          <p className="mt-1 text-sm text-slate-700">{member.name} becomes owner; you become admin.</p>
          <label className="mt-2 flex items-center gap-2 text-sm">
            <input type="checkbox" name="confirm" required /> I understand that I will no longer be an owner
          </label>
          <button type="submit" name="intent" value="transfer" className={`${buttonStyles.danger} mt-3`}>
            Transfer ownership
          </button>
        </Form>
      ) : null}
    </section>
  )
}
