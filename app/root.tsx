import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, Links, Meta, Outlet, Scripts, ScrollRestoration, useRouteError, useRouteLoaderData } from '@remix-run/react'
import type { ReactNode } from 'react'
import { getUser } from '~/auth/session.server'
import { ErrorPage } from '~/components/error-page'
import { useNonce } from '~/components/nonce'
import { useTraceId } from '~/components/trace-id'
import tailwind from '~/tailwind.css?url'

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: tailwind },
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
]
export const meta: MetaFunction = () => [{ title: 'NextSaaS' }]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  // With the params, the session check reads what the page's other loaders need in the same round trip.
  const user = await getUser(request, context, params)
  return { user, traceId: context.traceId }
}

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>('root')
  const traceId = useTraceId()
  const nonce = useNonce()
  return (
    <html lang="en" className="h-full bg-slate-50">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {traceId ? <meta name="trace-id" content={traceId} /> : null}
        <Meta />
        <Links />
      </head>
      <body className="min-h-full text-slate-900">
        <header className="border-b border-slate-200 bg-white">
          <nav className="mx-auto flex max-w-5xl items-center justify-between gap-4 px-4 py-3" aria-label="Main">
            <Link to={data?.user ? '/orgs' : '/'} className="text-lg font-semibold text-indigo-700">
              NextSaaS
            </Link>
            {data?.user ? (
              <div className="flex items-center gap-3 text-sm">
                <Link to="/account" className="hidden text-slate-600 hover:underline sm:inline">
                  {data.user.email}
                </Link>
                <Form method="post" action="/logout">
                  <button
                    type="submit"
                    className="rounded-md px-2 py-1 text-slate-700 hover:bg-slate-100 focus:outline-none focus:ring-2 focus:ring-indigo-500"
                  >
                    Sign out
                  </button>
                </Form>
              </div>
            ) : (
              <div className="flex items-center gap-3 text-sm">
                <Link to="/login" className="text-slate-700 hover:underline">
                  Sign in
                </Link>
                <Link to="/signup" className="rounded-md bg-indigo-600 px-3 py-1.5 text-white hover:bg-indigo-500">
                  Sign up
                </Link>
              </div>
            )}
          </nav>
        </header>
        {data?.user && !data.user.emailVerified ? <VerifyEmailBanner email={data.user.email} /> : null}
        <main className="mx-auto max-w-5xl px-4 py-8">{children}</main>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  )
}

/** Unverified accounts can work as usual, but are reminded, with a way to get a new link. */
function VerifyEmailBanner({ email }: { email: string }) {
  return (
    <div role="status" className="border-b border-amber-200 bg-amber-50">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center gap-x-3 gap-y-1 px-4 py-2 text-sm text-amber-900">
        <span>{`Please verify your email address: we sent a link to ${email}.`}</span>
        <Form method="post" action="/verify-email/resend">
          <button type="submit" className="font-medium underline hover:no-underline">
            Send a new link
          </button>
        </Form>
      </div>
    </div>
  )
}

export default function App() {
  return <Outlet />
}

export function ErrorBoundary() {
  return <ErrorPage error={useRouteError()} />
}
