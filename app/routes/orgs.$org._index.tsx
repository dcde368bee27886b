import { json, type LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { listWorkspaces } from '~/models/workspace.server'
import { requireTenant } from '~/utils/tenant.server'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  const workspaces = await listWorkspaces({ ...tenant.actor, organizationId: tenant.organization.id })
  return json({ workspaces })
}

export default function OrganizationHome() {
  const { workspaces } = useLoaderData<typeof loader>()
  return (
    <section>
      <h2 className="text-lg font-semibold">Workspaces</h2>
      <ul className="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {workspaces.map((ws) => (
          <li key={ws.id} data-testid="workspace-card" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" style={{ borderTopColor: ws.color, borderTopWidth: 4 }}>
            <div className="flex items-center gap-2">
              <span aria-hidden="true" className="text-2xl">{ws.icon}</span>
              <span className="font-medium">{ws.name}</span>
              {ws.isDefault ? <span className="ml-auto rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-700">Default</span> : null}
            </div>
            {ws.description ? <p className="mt-2 text-sm text-slate-600">{ws.description}</p> : null}
            <p className="mt-2 text-xs text-slate-500">{ws.projectCount} {ws.projectCount === 1 ? 'project' : 'projects'}</p>
          </li>
        ))}
      </ul>
    </section>
  )
}
