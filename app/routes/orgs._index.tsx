import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { userActor } from '~/access/tenant.server'
import { requireUser } from '~/auth/session.server'
import { listMyOrganizations } from '~/models/organization.server'

export const meta: MetaFunction = () => [{ title: 'Your organizations · NextSaaS' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  const organizations = await listMyOrganizations(userActor(user, request, context))
  return { organizations }
}

export default function Organizations() {
  const { organizations } = useLoaderData<typeof loader>()
  return (
    <section>
      <div className="flex flex-wrap items-center justify-between gap-4">
        <h1 className="text-2xl font-semibold">Your organizations</h1>
        <Link
          to="/orgs/new"
          className="rounded-md bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2"
        >
          New organization
        </Link>
      </div>
      {organizations.length === 0 ? (
        <p className="mt-8 rounded-lg border border-dashed border-slate-300 p-8 text-center text-slate-600">
          You are not in any organization yet.{' '}
          <Link to="/orgs/new" className="text-indigo-700 hover:underline">
            Create one
          </Link>{' '}
          to get started.
        </p>
      ) : (
        <ul className="mt-6 divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
          {organizations.map((org) => (
            <li key={org.id}>
              <Link
                to={`/orgs/${org.slug}`}
                className="flex items-center justify-between gap-4 px-4 py-3 hover:bg-slate-50 focus:bg-slate-50 focus:outline-none"
              >
                <span className="font-medium">
                  {org.name}
                  {org.status === 'suspended' ? (
                    <span className="ml-2 rounded bg-amber-100 px-2 py-0.5 text-xs text-amber-800">suspended</span>
                  ) : null}
                </span>
                <span className="shrink-0 whitespace-nowrap text-sm text-slate-600">
                  {org.roleName} · {org.memberCount} {org.memberCount === 1 ? 'member' : 'members'}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
