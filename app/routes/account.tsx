import { type LoaderFunctionArgs } from '@remix-run/node'
import { NavLink, Outlet } from '@remix-run/react'
import { requireUser } from '~/auth/session.server'

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context)
  return null
}

const SECTIONS = [
  { to: '/account', label: 'Account', end: true },
  { to: '/account/password', label: 'Password' },
  { to: '/account/email', label: 'Email' },
  { to: '/account/sessions', label: 'Sessions' },
  { to: '/account/tokens', label: 'API tokens' },
]

export default function AccountLayout() {
  return (
    <div className="flex flex-col gap-6 sm:flex-row">
      <nav aria-label="Account" className="flex gap-1 sm:w-40 sm:flex-col">
        {SECTIONS.map((section) => (
          <NavLink
            key={section.to}
            to={section.to}
            end={section.end}
            className={({ isActive }) =>
              `rounded-md px-3 py-2 text-sm ${isActive ? 'bg-indigo-50 font-medium text-indigo-700' : 'text-slate-700 hover:bg-slate-100'}`
            }
          >
            {section.label}
          </NavLink>
        ))}
      </nav>
      <div className="min-w-0 flex-1">
        <Outlet />
      </div>
    </div>
  )
}
