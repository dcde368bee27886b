import { type LoaderFunctionArgs } from '@remix-run/node'
import { Link, NavLink, Outlet, useLoaderData, useRouteError } from '@remix-run/react'
import { organizationSwitcher, requireTenant } from '~/access/tenant.server'
import { ErrorPage } from '~/components/error-page'
import { LiveNotice, useLiveUpdates } from '~/components/live-updates'
import { permitsAt, seesAnyWorkspace, SUSPENDED_MESSAGE, type ScopedGrant } from '~/lib/permissions'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  return {
    userId: tenant.user.id,
    organization: tenant.organization,
    membership: tenant.membership,
    permissions: tenant.permissions,
    grants: tenant.grants,
    switcher: await organizationSwitcher(tenant, context),
  }
}

const SECTIONS = [
  { to: '', label: 'Workspaces', end: true, permission: 'workspace:view' },
  { to: '/members', label: 'Members', end: false, permission: 'member:view' },
  { to: '/roles', label: 'Roles', end: false, permission: 'role:view' },
  { to: '/security', label: 'Security', end: false, permission: 'security:view' },
  { to: '/audit', label: 'Audit log', end: false, permission: 'audit:view' },
  { to: '/settings', label: 'Settings', end: true, permission: 'organization:view' },
  { to: '/settings/usage', label: 'Usage', end: false, permission: 'settings:manage' },
] as const

/** Workspaces may be open through grants alone; the other sections take the organization role's permission. */
function shows(section: (typeof SECTIONS)[number], permissions: readonly string[], grants: readonly ScopedGrant[]) {
  return section.permission === 'workspace:view' ? seesAnyWorkspace(permissions, grants) : permitsAt(permissions, [], section.permission)
}

export default function OrganizationLayout() {
  const { userId, organization, switcher, permissions, grants } = useLoaderData<typeof loader>()
  const notice = useLiveUpdates(organization.slug, userId)
  return (
    <div>
      <div className="mb-6 flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 pb-4">
        <nav aria-label="Organization" className="flex flex-wrap items-center gap-4">
          <Link to={`/orgs/${organization.slug}`} className="text-xl font-semibold">
            {organization.name}
          </Link>
          {SECTIONS.filter((section) => shows(section, permissions, grants)).map((section) => (
            <NavLink
              key={section.to}
              end={section.end}
              to={`/orgs/${organization.slug}${section.to}`}
              className="rounded-md px-2 py-1 text-sm text-slate-700 hover:bg-slate-100 aria-[current=page]:bg-indigo-50 aria-[current=page]:text-indigo-800"
            >
              {section.label}
            </NavLink>
          ))}
        </nav>
        <details className="relative">
          <summary className="cursor-pointer rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50">
            Switch organization
          </summary>
          <ul className="absolute right-0 z-10 mt-1 w-64 rounded-md border border-slate-200 bg-white py-1 shadow-lg">
            {switcher.map((o) => (
              <li key={o.slug}>
                <Link
                  to={`/orgs/${o.slug}`}
                  aria-current={o.slug === organization.slug ? 'page' : undefined}
                  className="block px-3 py-2 text-sm hover:bg-slate-50 aria-[current]:font-semibold"
                >
                  {o.name}
                </Link>
              </li>
            ))}
            <li className="border-t border-slate-100">
              <Link to="/orgs/new" className="block px-3 py-2 text-sm text-indigo-700 hover:bg-slate-50">
                New organization…
              </Link>
            </li>
          </ul>
        </details>
      </div>
      {organization.status === 'suspended' ? (
        <p role="status" className="mb-6 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
          {SUSPENDED_MESSAGE}. You can look, but nothing can be changed.
        </p>
      ) : null}
      <Outlet />
      <LiveNotice message={notice} />
    </div>
  )
}

export function ErrorBoundary() {
  return <ErrorPage error={useRouteError()} />
}
