import { getFormProps, type SubmissionResult } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type AppLoadContext, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { customRoleOf } from '~/access/resources.server'
import { useCan } from '~/access/tenant'
import { requireTenant } from '~/access/tenant.server'
import { ErrorList, Select, useValidatedForm } from '~/components/forms'
import { RoleForm } from '~/components/role-form'
import { buttonStyles, PageHeader } from '~/components/ui'
import { invalid, readForm, replyToDomainError } from '~/lib/forms.server'
import { RoleDeletionSchema, RoleSchema } from '~/lib/validation'
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
  return { role, others, holders }
}

const DeleteSchema = RoleDeletionSchema.extend({ intent: z.literal('delete') })

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { tenant, role } = await requireCustomRole(request, params, context)
  const formData = await readForm(request)
  if (formData.get('intent') === 'delete') {
    const deletion = parseWithZod(formData, { schema: DeleteSchema })
    if (deletion.status !== 'success') return invalid(deletion.reply())
    try {
      await deleteRole(tenant.actor, tenant.permissions, role.id, deletion.value.reassignTo)
      return redirect(`/orgs/${encodeURIComponent(tenant.organization.slug)}/roles`)
    } catch (error) {
      return replyToDomainError(deletion, error)
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

/** The answer to the form that was sent: the deletion's carries its intent. */
const isDeletion = (result: SubmissionResult<string[]> | undefined) =>
  (result?.initialValue as Record<string, unknown> | undefined)?.intent === 'delete'

export default function EditRole() {
  const { role, others, holders } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const can = useCan()
  const [deleteForm, deleteFields] = useValidatedForm({ id: 'delete-role', schema: DeleteSchema, lastResult: isDeletion(result) ? result : null })
  return (
    <section className="flex flex-col gap-8">
      <div>
        <PageHeader title={`Edit role “${role.name}”`} />
        <RoleForm lastResult={isDeletion(result) ? null : result} role={role} grantable={(p) => can(p as never)} submitLabel="Save role" />
      </div>
      <Form method="post" {...getFormProps(deleteForm)} className="max-w-lg rounded-lg border border-red-200 bg-white p-4">
        <h2 className="text-lg font-semibold text-red-800">Delete role</h2>
        <input type="hidden" name="intent" value="delete" />
        {holders > 0 ? (
          <div className="mt-2 flex flex-col gap-1">
            <label htmlFor={deleteFields.reassignTo.id} className="text-sm">
              {holders} {holders === 1 ? 'person holds' : 'people hold'} this role. Give them instead:
            </label>
            <Select
              id={deleteFields.reassignTo.id}
              name={deleteFields.reassignTo.name}
              defaultValue={deleteFields.reassignTo.initialValue}
              key={deleteFields.reassignTo.key}
              required
              compact
            >
              {others
                .filter((r) => r.key !== 'owner')
                .map((r) => (
                  <option key={r.key} value={r.key}>
                    {r.name}
                  </option>
                ))}
            </Select>
            <ErrorList id={deleteFields.reassignTo.errorId} errors={deleteFields.reassignTo.errors} />
          </div>
        ) : (
          <p className="mt-1 text-sm text-slate-700">Nobody holds this role.</p>
        )}
        <ErrorList id={deleteForm.errorId} errors={deleteForm.errors} />
        <button type="submit" className={`${buttonStyles.danger} mt-3`}>
          Delete role
        </button>
      </Form>
    </section>
  )
}
