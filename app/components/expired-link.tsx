import { Link } from '@remix-run/react'

/** What a used, expired or mistyped account link shows. */
export function ExpiredLink({ retry }: { retry: { to: string; label: string } }) {
  return (
    <div className="mx-auto max-w-sm" role="alert">
      <h1 className="text-2xl font-semibold">This link no longer works</h1>
      <p className="mt-4 text-slate-700">It has expired, has been used already, or was replaced by a newer one.</p>
      <p className="mt-4">
        <Link to={retry.to} className="text-indigo-700 hover:underline">
          {retry.label}
        </Link>
      </p>
    </div>
  )
}
