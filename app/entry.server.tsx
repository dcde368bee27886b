import { PassThrough } from 'node:stream'
import type { AppLoadContext, EntryContext, HandleErrorFunction } from '@remix-run/node'
import { createReadableStreamFromReadable } from '@remix-run/node'
import { isRouteErrorResponse, RemixServer } from '@remix-run/react'
import { isbot } from 'isbot'
import { renderToPipeableStream } from 'react-dom/server'
import { recordRequestError } from '~/access/tenant.server'
import { NonceContext } from '~/components/nonce'
import { TraceIdContext } from '~/components/trace-id'

/** How long Remix waits for a streamed loader promise before rejecting it (single fetch). */
export const streamTimeout = 5_000

/**
 * Unexpected errors are logged once, with the request's traceId, and reported
 * (SENTRY_DSN); an action's that had passed its permission check is audited as
 * `error` too.
 */
export const handleError: HandleErrorFunction = (error, { request, context }) => {
  // Aborted requests and the router's own 4xx (no route matches) are not faults.
  if (request.signal.aborted || (isRouteErrorResponse(error) && error.status < 500)) return
  const loadContext = context as AppLoadContext | undefined
  if (!loadContext?.logger) return console.error(error)
  // A page loaded before single fetch asks for data with ?_data; Remix still answers and tells us so.
  if (new URL(request.url).searchParams.has('_data') && error instanceof Error && error.message.startsWith('Warning:')) {
    return loadContext.logger.warn(error.message)
  }
  loadContext.logger.error({ err: error }, 'unhandled error')
  void recordRequestError(loadContext, request)
  loadContext.reportError(error)
}

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  // Crawlers get the whole document at once; browsers get it streamed.
  const readyEvent = isbot(request.headers.get('user-agent') ?? '') ? 'onAllReady' : 'onShellReady'
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={loadContext.cspNonce}>
        <TraceIdContext.Provider value={loadContext.traceId}>
          <RemixServer context={remixContext} url={request.url} nonce={loadContext.cspNonce} />
        </TraceIdContext.Provider>
      </NonceContext.Provider>,
      {
        nonce: loadContext.cspNonce,
        [readyEvent]() {
          shellRendered = true
          const body = new PassThrough()
          responseHeaders.set('Content-Type', 'text/html; charset=utf-8')
          resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }))
          pipe(body)
        },
        onShellError: reject,
        onError(error: unknown) {
          responseStatusCode = 500
          if (shellRendered) console.error(error)
        },
      },
    )
    // Rendering gets a second past streamTimeout, so the rejected promises are sent before it stops.
    setTimeout(abort, streamTimeout + 1_000)
  })
}
