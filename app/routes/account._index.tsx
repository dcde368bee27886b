import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react'
import { requireUser } from '~/auth/session.server'

export const meta: MetaFunction = () => [{ title: 'Account · NextSaaS' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  return { user }
}

/** One-line confirmations after a redirect, keyed by the query they arrive with. */
const NOTICES: Record<string, Record<string, string>> = {
  password: {
    reset: 'Your password was reset. Every other session was signed out.',
    changed: 'Your password was changed. Every other session was signed out.',
  },
  email: {
    sent: 'We sent a new verification link to your address.',
    requested: 'Check your new address for a confirmation link; your account keeps its current address until you open it.',
  },
}

export default function Account() {
  const { user } = useLoaderData<typeof loader>()
  const [params] = useSearchParams()
  const notices = Object.entries(NOTICES).flatMap(([key, messages]) => messages[params.get(key) ?? ''] ?? [])
  return (
    <section>
      <h1 className="text-2xl font-semibold">Account</h1>
      {notices.map((notice) => (
        <p key={notice} role="status" className="mt-4 rounded-md bg-green-50 px-3 py-2 text-sm text-green-800">
          {notice}
        </p>
      ))}
      <dl className="mt-6 divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
        <div className="flex flex-wrap justify-between gap-2 px-4 py-3">
          <dt className="text-slate-600">Name</dt>
          <dd className="font-medium">{user.name}</dd>
        </div>
        <div className="flex flex-wrap items-center justify-between gap-2 px-4 py-3">
          <dt className="text-slate-600">Email</dt>
          <dd className="flex flex-wrap items-center gap-2">
            <span className="font-medium">{user.email}</span>
            {user.emailVerified ? (
              <span className="rounded bg-green-50 px-2 py-0.5 text-xs font-medium text-green-800">Verified</span>
            ) : (
              <>
                <span className="rounded bg-amber-50 px-2 py-0.5 text-xs font-medium text-amber-800">Not verified</span>
                <Form method="post" action="/verify-email/resend">
                  <button type="submit" className="text-sm text-indigo-700 hover:underline">
                    Send a new link
                  </button>
                </Form>
              </>
            )}
            <Link to="/account/email" className="text-sm text-indigo-700 hover:underline">
              Change
            </Link>
          </dd>
        </div>
        <div className="flex flex-wrap justify-between gap-2 px-4 py-3">
          <dt className="text-slate-600">Password</dt>
          <dd>
            <Link to="/account/password" className="text-sm text-indigo-700 hover:underline">
              Change password
            </Link>
          </dd>
        </div>
        <div className="flex flex-wrap justify-between gap-2 px-4 py-3">
          <dt className="text-slate-600">Sessions</dt>
          <dd>
            <Link to="/account/sessions" className="text-sm text-indigo-700 hover:underline">
              See where you are signed in
            </Link>
          </dd>
        </div>
      </dl>
    </section>
  )
}
