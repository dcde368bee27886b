/** The 429 itself: the API's error envelope, or a page that says when to come back. */
import { ApiError } from '~/api/envelope.server'
import { rateLimitHeaders, refusalMessage, type Outcome } from './policies'

export const isApiPath = (pathname: string) => pathname === '/api' || pathname.startsWith('/api/')

const details = (outcome: Outcome) => ({ policy: outcome.policy.name, retryAfterSeconds: Math.max(1, outcome.resetSeconds) })

/** The API's error envelope, for the HTTP layer's own 429s. */
export function rateLimitedEnvelope(outcome: Outcome, traceId: string) {
  return { error: { code: 'RATE_LIMITED', message: refusalMessage(outcome), details: details(outcome), traceId } }
}

/**
 * What a loader or action throws when a limit refuses the request: the API's
 * envelope (through its ApiError), or text that the error boundary shows
 * under its heading.
 */
export function rateLimited(request: Request, outcome: Outcome): ApiError | Response {
  const headers = rateLimitHeaders(outcome)
  const message = refusalMessage(outcome)
  if (isApiPath(new URL(request.url).pathname)) {
    return new ApiError(429, 'RATE_LIMITED', message, details(outcome), headers)
  }
  return new Response(message, { status: 429, statusText: 'Too Many Requests', headers })
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/** The HTTP layer's page: refused before Remix runs, so it stands alone. */
export function tooManyRequestsPage(outcome: Outcome, traceId: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Too many requests · NextSaaS</title>
<style>body{font-family:system-ui,sans-serif;background:#f8fafc;color:#0f172a;margin:0}main{max-width:32rem;margin:4rem auto;padding:1.5rem;background:#fff;border:1px solid #e2e8f0;border-radius:.5rem}h1{font-size:1.25rem;margin:0 0 .5rem}small{color:#64748b}</style>
</head><body><main role="alert"><h1>Too many requests</h1><p>${escapeHtml(refusalMessage(outcome))}</p>
<p><small>Reference: <code>${escapeHtml(traceId)}</code></small></p></main></body></html>`
}
