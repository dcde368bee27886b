/**
 * The HTTP layer's one writer for the refusals it makes before Remix runs
 * (403 cross-origin or blocked, 413, 429): the API's envelope for /api paths,
 * otherwise a page that stands alone. Both quote the traceId.
 */
import type { Request, Response } from 'express'
import { errorBody, statusOf, type ErrorCode, type ErrorDetails } from '~/lib/errors'
import { isApiPath } from '~/lib/paths'

const TITLES: Partial<Record<ErrorCode, string>> = {
  RATE_LIMITED: 'Too many requests',
  REQUEST_BLOCKED: 'Request refused',
  CROSS_ORIGIN: 'Request refused',
  PAYLOAD_TOO_LARGE: 'Request too large',
  WRONG_REGION: 'Served by another region',
  UNAVAILABLE: 'Temporarily unavailable',
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

function page(title: string, message: string, traceId: string) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · NextSaaS</title>
<style>body{font-family:system-ui,sans-serif;background:#f8fafc;color:#0f172a;margin:0}main{max-width:32rem;margin:4rem auto;padding:1.5rem;background:#fff;border:1px solid #e2e8f0;border-radius:.5rem}h1{font-size:1.25rem;margin:0 0 .5rem}small{color:#64748b}</style>
</head><body><main role="alert"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>
<p><small>If you think this is a mistake, contact support and quote this reference: <code>${escapeHtml(traceId)}</code></small></p>
<p><a href="/">Go home</a></p></main></body></html>`
}

export function sendRefusal(
  req: Request,
  res: Response,
  code: ErrorCode,
  message: string,
  options: { details?: ErrorDetails; headers?: Record<string, string> } = {},
) {
  const traceId = res.locals.context.traceId
  for (const [name, value] of Object.entries(options.headers ?? {})) res.setHeader(name, value)
  res.status(statusOf(code)).setHeader('Cache-Control', 'no-store')
  if (isApiPath(req.path)) res.json(errorBody(code, message, options.details ?? {}, traceId))
  else res.type('html').send(page(TITLES[code] ?? 'Request refused', message, traceId))
}
