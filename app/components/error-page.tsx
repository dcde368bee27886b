import { isRouteErrorResponse, Link } from '@remix-run/react'
import { readRefusal } from '~/lib/errors'
import { useTraceId } from './trace-id'

const MESSAGES: Record<number, string> = {
  400: 'The request was not understood.',
  403: 'You do not have permission to do that here.',
  404: 'We could not find that page.',
  413: 'That was too large to accept.',
  429: 'Too many requests. Please wait a moment and try again.',
}

export function ErrorPage({ error }: { error: unknown }) {
  const traceId = useTraceId()
  const status = isRouteErrorResponse(error) ? error.status : 500
  // Messages the app wrote itself are shown; the router's internal ones are not.
  const internal = (error as { internal?: boolean } | null)?.internal
  const said = isRouteErrorResponse(error) && !internal && status < 500 ? error.data : null
  const detail = typeof said === 'string' ? said : readRefusal(said)?.message
  return (
    <div role="alert" className="mx-auto max-w-lg rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="text-xl font-semibold">{status === 500 ? 'Something went wrong' : (MESSAGES[status] ?? 'Request failed')}</h1>
      {detail ? <p className="mt-2 text-slate-700">{detail}</p> : null}
      {status === 500 ? <p className="mt-2 text-slate-700">The error has been logged. Please try again.</p> : null}
      {traceId ? (
        <p className="mt-4 text-xs text-slate-500">
          Reference: <code>{traceId}</code>
        </p>
      ) : null}
      <p className="mt-4">
        <Link to="/" className="text-indigo-700 hover:underline">
          Go home
        </Link>
      </p>
    </div>
  )
}
