import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import {
  Form,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteError,
  useRouteLoaderData,
} from '@remix-run/react'
import type { ReactNode } from 'react'
import { getUser } from '~/auth/session.server'
import tailwind from '~/tailwind.css'
import { ErrorPage } from '~/components/error-page'
import { useTraceId } from '~/utils/trace-id'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: tailwind }]
export const meta: MetaFunction = () => [{ title: 'NextSaaS' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getUser(request, context)
  return json({ user, traceId: context.traceId })
}

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>('root')
  const traceId = useTraceId()
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
                <span className="hidden text-slate-600 sm:inline">{data.user.email}</span>
                <Form method="post" action="/logout">
                  <button type="submit" className="rounded-md px-2 py-1 text-slate-700 hover:bg-slate-100 focus:outline-none focus:ring-2 focus:ring-indigo-500">
                    Sign out
                  </button>
                </Form>
              </div>
            ) : (
              <div className="flex items-center gap-3 text-sm">
                <Link to="/login" className="text-slate-700 hover:underline">Sign in</Link>
                <Link to="/signup" className="rounded-md bg-indigo-600 px-3 py-1.5 text-white hover:bg-indigo-500">Sign up</Link>
              </div>
            )}
          </nav>
        </header>
        <main className="mx-auto max-w-5xl px-4 py-8">{children}</main>
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  )
}

export default function App() {
  return <Outlet />
}

export function ErrorBoundary() {
  return <ErrorPage error={useRouteError()} />
}
