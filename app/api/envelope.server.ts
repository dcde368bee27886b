/**
 * The JSON API's two response shapes, and nothing else:
 *   success  { data, meta?, links? }
 *   failure  { error: { code, message, details, traceId } }
 * API responses are never cached: they carry one user's data.
 */
import type { AppLoadContext } from '@remix-run/node'
import { DomainError } from '~/models/errors.server'

export type ErrorDetails = Record<string, unknown>

/** A failure the API answers with its envelope; thrown anywhere below a route. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetails = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

export const notFound = (message = 'Not found') => new ApiError(404, 'NOT_FOUND', message)

const NO_STORE = { 'Cache-Control': 'no-store' }

function jsonResponse(body: unknown, status: number, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...NO_STORE, ...headers },
  })
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

export function apiError(context: AppLoadContext, error: ApiError) {
  return jsonResponse(
    { error: { code: error.code, message: error.message, details: error.details, traceId: context.traceId } },
    error.status,
    error.headers,
  )
}

const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_FAILED',
  429: 'RATE_LIMITED',
}

/** Domain refusals that mean "you may see this but not do it". */
const FORBIDDING = new Set(['FORBIDDEN', 'ESCALATION', 'SELF', 'BUILTIN'])
/** Domain refusals of a value the client sent: a field error, like the schema's own. */
const INVALID = new Set(['VALIDATION', 'INVALID_SCOPE'])

/** A domain rule's refusal in API terms: the field it names becomes a detail. */
function fromDomainError(error: DomainError): ApiError {
  const details = error.field ? { [error.field]: [error.message] } : {}
  if (error.code === 'NOT_FOUND') return new ApiError(404, 'NOT_FOUND', error.message)
  if (FORBIDDING.has(error.code)) return new ApiError(403, 'FORBIDDEN', error.message, details)
  if (INVALID.has(error.code)) return new ApiError(422, 'VALIDATION_FAILED', error.message, details)
  return new ApiError(409, error.code, error.message, details)
}

/**
 * Whatever a handler threw, as an envelope. Responses thrown by shared helpers
 * (requirePermission's 403, a rate limiter's 429) keep their status, message
 * and headers; anything unexpected is a logged 500 that reveals nothing.
 */
export async function toErrorResponse(context: AppLoadContext, thrown: unknown): Promise<Response> {
  if (thrown instanceof ApiError) return apiError(context, thrown)
  if (thrown instanceof DomainError) return apiError(context, fromDomainError(thrown))
  if (thrown instanceof Response && thrown.status >= 400) {
    const message = (await thrown.text().catch(() => '')) || thrown.statusText || 'Request failed'
    const headers: Record<string, string> = {}
    thrown.headers.forEach((value, key) => {
      if (key !== 'content-type' && key !== 'content-length') headers[key] = value
    })
    const code = STATUS_CODES[thrown.status] ?? (thrown.status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST')
    return apiError(context, new ApiError(thrown.status, code, message, {}, headers))
  }
  context.logger.error({ err: thrown, traceId: context.traceId }, 'unhandled API error')
  return apiError(context, new ApiError(500, 'INTERNAL_ERROR', 'An unexpected error occurred. Quote the traceId when reporting it.'))
}
