/**
 * The JSON API's two response shapes, and nothing else:
 *   success  { data, meta?, links? }
 *   failure  { error: { code, message, details, traceId } }
 * Failures use the app's one vocabulary (lib/errors): whatever a handler or a
 * shared guard throws — a refusal Response, a DomainError — becomes the
 * envelope with the status statusOf() gives its code.
 * API responses are never cached: they carry one user's data.
 */
import type { AppLoadContext } from '@remix-run/node'
import { codeOfStatus, DomainError, errorBody, readRefusal, statusOf, type ErrorCode, type ErrorDetails } from '~/lib/errors'

const NO_STORE = { 'Cache-Control': 'no-store' }

function jsonResponse(body: unknown, status: number, headers: HeadersInit = {}) {
  const all = new Headers(headers)
  all.set('Content-Type', 'application/json; charset=utf-8')
  all.set('Cache-Control', 'no-store')
  return new Response(JSON.stringify(body), { status, headers: all })
}

export interface Meta {
  total: number
  page: number
  pageSize: number
}
export interface Links {
  self: string
  next?: string
  prev?: string
}

export function apiData(data: unknown, options: { status?: number; meta?: Meta; links?: Links; headers?: Record<string, string> } = {}) {
  const { status = 200, meta, links, headers } = options
  return jsonResponse({ data, ...(meta ? { meta } : {}), ...(links ? { links } : {}) }, status, headers)
}

/** 201 with the new resource and where it lives. */
export function apiCreated(data: unknown, location: string) {
  return apiData(data, { status: 201, headers: { Location: location } })
}

export function apiNoContent() {
  return new Response(null, { status: 204, headers: NO_STORE })
}

function apiError(context: AppLoadContext, code: ErrorCode, message: string, details: ErrorDetails = {}, headers: HeadersInit = {}) {
  return jsonResponse(errorBody(code, message, details, context.traceId), statusOf(code), headers)
}

/** A thrown Response as the envelope: its code and details when it is a refusal(), else its status's code. */
async function fromResponse(context: AppLoadContext, thrown: Response) {
  const text = await thrown.text().catch(() => '')
  let data: unknown = null
  try {
    data = JSON.parse(text)
  } catch {
    // A plain-text refusal: its text is the message.
  }
  const headers = new Headers(thrown.headers)
  headers.delete('content-type')
  headers.delete('content-length')
  const known = readRefusal(data)
  const code = known?.code ?? codeOfStatus(thrown.status)
  const message = known?.message ?? (text || thrown.statusText || 'Request failed')
  return jsonResponse(errorBody(code, message, known?.details ?? {}, context.traceId), thrown.status, headers)
}

/**
 * Whatever a handler threw, as an envelope. Anything unexpected is a logged
 * 500 that reveals nothing.
 */
export async function toErrorResponse(context: AppLoadContext, thrown: unknown): Promise<Response> {
  if (thrown instanceof DomainError) {
    const details = thrown.field ? { ...thrown.details, [thrown.field]: [thrown.message] } : thrown.details
    return apiError(context, thrown.code, thrown.message, details)
  }
  if (thrown instanceof Response && thrown.status >= 400) return fromResponse(context, thrown)
  context.logger.error({ err: thrown, traceId: context.traceId }, 'unhandled API error')
  context.reportError(thrown)
  return apiError(context, 'INTERNAL_ERROR', 'An unexpected error occurred. Quote the traceId when reporting it.')
}
