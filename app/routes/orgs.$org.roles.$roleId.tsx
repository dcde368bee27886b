import { parseWithZod } from '@conform-to/zod'
import { json, redirect, type ActionFunctionArgs, type AppLoadContext, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { customRoleOf } from '~/access/resources.server'
import { useCan } from '~/access/tenant'
import { requireTenant } from '~/access/tenant.server'
import { Select } from '~/components/forms'
import { RoleForm } from '~/components/role-form'
import { buttonStyles, PageHeader } from '~/components/ui'
import { DomainError, statusOf } from '~/lib/errors'
import { invalid, readForm, replyToDomainError } from '~/lib/forms.server'
import { RoleSchema } from '~/lib/validation'
import { deleteRole, listRoles, updateRole } from '~/models/role.server'

export const meta: MetaFunction = () => [{ title: 'Edit role · NextSaaS' }]

async function requireCustomRole(request: Request, params: { org?: string; roleId?: string }, context: AppLoadContext) {
  const tenant = await requireTenant(request, params, context)
  return { tenant, role: await customRoleOf(tenant, params.roleId ?? '') }
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { tenant, role } = await requireCustomRole(request, params, context)
  const roles = await listRoles(tenant.actor)
  const others = roles.filter((r) => r.id !== role.id).map((r) => ({ key: r.key, name: r.name }))
  const holders = roles.find((r) => r.id === role.id)?.holders ?? 0
  return json({ role, others, holders })
}

const DeleteSchema = z.object({ reassignTo: z.string().max(64).optional() })

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { tenant, role } = await requireCustomRole(request, params, context)
  const formData = await readForm(request)
  if (formData.get('intent') === 'delete') {
    const parsed = DeleteSchema.safeParse(Object.fromEntries(formData))
    try {
      await deleteRole(tenant.actor, tenant.permissions, role.id, parsed.success ? parsed.data.reassignTo || undefined : undefined)
      return redirect(`/orgs/${encodeURIComponent(tenant.organization.slug)}/roles`)
    } catch (error) {
      if (!(error instanceof DomainError)) throw error
      return json({ deleteError: error.message }, { status: statusOf(error.code) })
    }
  }
  const submission = parseWithZod(formData, { schema: RoleSchema })
  if (submission.status !== 'success') return invalid(submission.reply())
  try {
    await updateRole(tenant.actor, tenant.permissions, role.id, submission.value)
    return redirect(`/orgs/${encodeURIComponent(tenant.organization.slug)}/roles`)
  } catch (error) {
    return replyToDomainError(submission, error)
  }
}

export default function EditRole() {
  const { role, others, holders } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const can = useCan()
  const deleteError = result && 'deleteError' in result ? result.deleteError : undefined
  return (
    <section className="flex flex-col gap-8">
      <div>
        <PageHeader title={`Edit role “${role.name}”`} />
        <RoleForm
          lastResult={result && !('deleteError' in result) ? result : null}
          role={role}
          grantable={(p) => can(p as never)}
          submitLabel="Save role"
        />
      </div>
      <Form method="post" className="max-w-lg rounded-lg border border-red-200 bg-white p-4">
        <h2 className="text-lg font-semibold text-red-800">Delete role</h2>
        <input type="hidden" name="intent" value="delete" />
        {holders > 0 ? (
          <div className="mt-2 flex flex-col gap-1">
            <label htmlFor="reassignTo" className="text-sm">
              {holders} {holders === 1 ? 'person holds' : 'people hold'} this role. Give them instead:
            </label>
            <Select id="reassignTo" name="reassignTo" required compact>
              {others
                .filter((r) => r.key !== 'owner')
                .map((r) => (
                  <option key={r.key} value={r.key}>
                    {r.name}
                  </option>
                ))}
            </Select>
          </div>
        ) : (
          <p className="mt-1 text-sm text-slate-700">Nobody holds this role.</p>
        )}
        {deleteError ? (
          <p role="alert" className="mt-2 text-sm text-red-700">
            {deleteError}
          </p>
        ) : null}
        <button type="submit" className={`${buttonStyles.danger} mt-3`}>
          Delete role
        </button>
      </Form>
    </section>
  )
}
