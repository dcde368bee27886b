import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useActionData } from '@remix-run/react'
import { useCan } from '~/access/tenant'
import { requirePermission, requireTenant } from '~/access/tenant.server'
import { RoleForm } from '~/components/role-form'
import { PageHeader } from '~/components/ui'
import { invalid, readForm, replyToDomainError } from '~/lib/forms.server'
import { RoleSchema } from '~/lib/validation'
import { createRole } from '~/models/role.server'

export const meta: MetaFunction = () => [{ title: 'New role · NextSaaS' }]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  await requirePermission(tenant, 'role:manage')
  return {}
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  await requirePermission(tenant, 'role:manage')
  const submission = parseWithZod(await readForm(request), { schema: RoleSchema })
  if (submission.status !== 'success') return invalid(submission.reply())
  try {
    await createRole(tenant.actor, tenant.permissions, submission.value)
    return redirect(`/orgs/${encodeURIComponent(tenant.organization.slug)}/roles`)
  } catch (error) {
    return replyToDomainError(submission, error)
  }
}

export default function NewRole() {
  const can = useCan()
  return (
    <section>
      <PageHeader title="New role" />
      <RoleForm lastResult={useActionData<typeof action>()} grantable={(p) => can(p as never)} submitLabel="Create role" />
    </section>
  )
}
