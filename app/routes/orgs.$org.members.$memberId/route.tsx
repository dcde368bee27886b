import { getFormProps, type SubmissionResult } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type AppLoadContext, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { memberOf } from '~/access/resources.server'
import { grantableRoles } from '~/access/roles.server'
import { useCan, useOrganization } from '~/access/tenant'
import { can, requirePermission, requireTenant } from '~/access/tenant.server'
import { ErrorList, Select, TextField, useValidatedForm } from '~/components/forms'
import { buttonStyles, Breadcrumbs, PageHeader } from '~/components/ui'
import { readForm, replyToDomainError, invalid } from '~/lib/forms.server'
import { parseListQuery } from '~/lib/pagination'
import { describeOrigin, PERMISSIONS, tracePermissions } from '~/lib/permissions'
import { addGrant, removeGrant, searchGrantTargets } from '~/models/grant.server'
import { changeMemberRole, setMemberStatus, transferOwnership } from '~/models/member.server'
import { memberAction, REQUIRED, replyFor, RoleForm, StatusForm, transferForm, type MemberIntent } from './forms'
import { Grants } from './grants'

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.member.name ?? 'Member'} · NextSaaS` }]

async function requireMember(request: Request, params: { org?: string; memberId?: string }, context: AppLoadContext) {
  const tenant = await requireTenant(request, params, context)
  return { tenant, member: await memberOf(tenant, params.memberId ?? '') }
}

const TARGETS_PER_PAGE = 20

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { tenant, member } = await requireMember(request, params, context)
  const isSelf = member.userId === tenant.user.id
  const manage = can(tenant, 'member:update') && !isSelf
  const url = new URL(request.url)
  const find = (url.searchParams.get('find') ?? '').trim().slice(0, 100)
  const roles = manage ? await grantableRoles(tenant) : []
  return {
    member,
    trace: tracePermissions(member),
    roles,
    // The grant form starts on the role that gives the least.
    narrowest: roles[0]?.key,
    targets: manage ? await searchGrantTargets(tenant.actor, find, parseListQuery(url, TARGETS_PER_PAGE)) : null,
    find,
    isSelf,
    manage,
    canTransfer: can(tenant, '*') && !isSelf && member.status === 'active' && member.role !== 'owner',
  }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { tenant, member } = await requireMember(request, params, context)
  const formData = await readForm(request)
  // The permission first: someone who may not act learns nothing from validation.
  const intent = String(formData.get('intent'))
  await requirePermission(tenant, Object.hasOwn(REQUIRED, intent) ? REQUIRED[intent as MemberIntent] : 'member:update')
  const submission = parseWithZod(formData, { schema: memberAction(tenant.organization.name) })
  if (submission.status !== 'success') return invalid(submission.reply())
  const input = submission.value
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
      case 'add-grant':
        await addGrant(tenant.actor, held, member.id, { role: input.role, ...input.target })
        break
      case 'remove-grant':
        await removeGrant(tenant.actor, held, member.id, input.grantId)
        break
      case 'transfer':
        await transferOwnership(tenant.actor, member.id)
        break
    }
  } catch (error) {
    return replyToDomainError(submission, error, { fields: { workspaceId: 'target', projectId: 'target' } })
  }
  return redirect(new URL(request.url).pathname)
}

function RoleChange({
  role,
  roles,
  lastResult,
}: {
  role: string
  roles: readonly { key: string; name: string }[]
  lastResult?: SubmissionResult<string[]>
}) {
  const [form, fields] = useValidatedForm({ id: 'member-role', schema: RoleForm, lastResult: replyFor(lastResult, 'role') })
  return (
    <Form method="post" {...getFormProps(form)} className="flex flex-col gap-1">
      <input type="hidden" name="intent" value="role" />
      <label htmlFor={fields.role.id} className="text-sm font-medium">
        Organization role
      </label>
      <div className="flex items-center gap-2">
        <Select id={fields.role.id} name={fields.role.name} defaultValue={fields.role.initialValue ?? role} key={fields.role.key}>
          {roles.map((r) => (
            <option key={r.key} value={r.key}>
              {r.name}
            </option>
          ))}
        </Select>
        <button type="submit" className={buttonStyles.secondary}>
          Change role
        </button>
      </div>
      <ErrorList id={fields.role.errorId} errors={fields.role.errors} />
      <ErrorList id={form.errorId} errors={form.errors} />
    </Form>
  )
}

function StatusChange({ status, lastResult }: { status: string; lastResult?: SubmissionResult<string[]> }) {
  const [form] = useValidatedForm({ id: 'member-status', schema: StatusForm, lastResult: replyFor(lastResult, ['suspend', 'reactivate']) })
  const intent = status === 'suspended' ? 'reactivate' : 'suspend'
  return (
    <Form method="post" {...getFormProps(form)} className="flex flex-col gap-1 pt-6">
      <button type="submit" name="intent" value={intent} className={buttonStyles.secondary}>
        {intent === 'reactivate' ? 'Reactivate' : 'Suspend'}
      </button>
      <ErrorList id={form.errorId} errors={form.errors} />
    </Form>
  )
}

function TransferOwnership({ memberName, lastResult }: { memberName: string; lastResult?: SubmissionResult<string[]> }) {
  const { organization } = useOrganization()
  const [form, fields] = useValidatedForm({ id: 'transfer', schema: transferForm(organization.name), lastResult: replyFor(lastResult, 'transfer') })
  return (
    <Form method="post" {...getFormProps(form)} className="flex max-w-lg flex-col gap-2 rounded-lg border border-amber-200 bg-white p-4">
      <h2 className="text-lg font-semibold">Transfer ownership</h2>
      <p className="text-sm text-slate-700">{memberName} becomes owner; you become admin. Only an owner can undo it.</p>
      <input type="hidden" name="intent" value="transfer" />
      <TextField label={`Type “${organization.name}” to confirm`} field={fields.confirm} autoComplete="off" />
      <ErrorList id={form.errorId} errors={form.errors} />
      <button type="submit" className={buttonStyles.danger}>
        Transfer ownership
      </button>
    </Form>
  )
}

export default function MemberPage() {
  const { member, trace, roles, narrowest, targets, find, isSelf, manage, canTransfer } = useLoaderData<typeof loader>()
  const lastResult = useActionData<typeof action>()
  const { organization } = useOrganization()
  const can = useCan()
  return (
    <section className="flex flex-col gap-8">
      <div>
        <Breadcrumbs items={[{ to: `/orgs/${organization.slug}/members`, label: 'Members' }, { label: member.name }]} />
        <PageHeader title={member.name} subtitle={`${member.email} · ${member.roleName} · ${member.status}`} />
        {isSelf ? <p className="text-sm text-slate-600">This is you. Someone else has to change your membership.</p> : null}
      </div>

      {manage ? (
        <div className="flex flex-wrap items-start gap-4">
          <RoleChange role={member.role} roles={roles} lastResult={lastResult} />
          <StatusChange status={member.status} lastResult={lastResult} />
          {can('member:remove') ? (
            <div className="pt-6">
              <Link to="remove" className={buttonStyles.danger}>
                Remove…
              </Link>
            </div>
          ) : null}
        </div>
      ) : null}

      <Grants grants={member.grants} manage={manage} roles={roles} narrowest={narrowest} targets={targets} find={find} lastResult={lastResult} />

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
                <td className="py-1 text-slate-700">{t.sources.map(describeOrigin).join('; ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {canTransfer ? <TransferOwnership memberName={member.name} lastResult={lastResult} /> : null}
    </section>
  )
}
