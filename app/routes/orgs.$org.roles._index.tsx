import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useCan } from '~/access/tenant'
import { requirePermission, requireTenant } from '~/access/tenant.server'
import { buttonStyles, PageHeader } from '~/components/ui'
import { effectivePermissions } from '~/lib/permissions'
import { listRoles } from '~/models/role.server'

export const meta: MetaFunction = () => [{ title: 'Roles · NextSaaS' }]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  await requirePermission(tenant, 'role:view')
  return { roles: await listRoles(tenant.actor) }
}

export default function Roles() {
  const { roles } = useLoaderData<typeof loader>()
  const can = useCan()
  return (
    <section>
      <PageHeader
        title="Roles"
        subtitle="Built-in roles cannot be changed. Custom roles hold any set of permissions."
        actions={
          can('role:manage') ? (
            <Link to="new" className={buttonStyles.primary}>
              New role
            </Link>
          ) : null
        }
      />
      <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
        {roles.map((role) => (
          <li key={role.id} className="flex flex-wrap items-center justify-between gap-3 px-4 py-3">
            <div>
              <p className="font-medium">
                {role.name} {role.is_builtin ? <span className="ml-1 rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-700">Built-in</span> : null}
              </p>
              <p className="text-sm text-slate-600">{role.description}</p>
              <p className="text-xs text-slate-500">
                {role.permissions.includes('*') ? 'All permissions' : `${effectivePermissions(role.permissions).length} permissions`} · {role.holders}{' '}
                {role.holders === 1 ? 'holder' : 'holders'}
              </p>
            </div>
            {!role.is_builtin && can('role:manage') ? (
              <Link to={role.id} className={buttonStyles.secondary}>
                Edit
              </Link>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  )
}
