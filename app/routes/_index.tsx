import { redirect, type LoaderFunctionArgs } from '@remix-run/node'
import { Link } from '@remix-run/react'
import { getUser } from '~/auth/session.server'

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (await getUser(request, context)) throw redirect('/orgs')
  return null
}

export default function Index() {
  return (
    <section className="py-12 text-center">
      <h1 className="text-3xl font-bold tracking-tight sm:text-4xl">Organizations, workspaces and projects — isolated by design.</h1>
      <p className="mx-auto mt-4 max-w-2xl text-slate-600">
        Every organization's data is kept apart by the database itself, not only by the application.
      </p>
      <div className="mt-8 flex justify-center gap-4">
        <Link to="/signup" className="rounded-md bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500">
          Create an account
        </Link>
        <Link to="/login" className="rounded-md border border-slate-300 px-4 py-2 font-medium hover:bg-slate-100">
          Sign in
        </Link>
      </div>
    </section>
  )
}
