/**
 * The app's one error vocabulary. Every refusal has a code, and statusOf() is
 * the only map from a code to an HTTP status: the API's envelope, the pages'
 * error boundaries, form replies and the HTTP layer's own refusals all read it.
 */
const STATUS = {
  BAD_REQUEST: 400,
  MALFORMED_JSON: 400,
  INVALID_QUERY: 400,
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  /** The role or a token's scope does not permit this here. */
  FORBIDDEN: 403,
  /** Handing out (or taking away) permissions one does not hold. */
  ESCALATION: 403,
  /** A change to one's own membership. */
  SELF: 403,
  /** Built-in roles are not edited or deleted. */
  BUILTIN: 403,
  /** The organization is suspended: read-only for its members. */
  ORGANIZATION_SUSPENDED: 403,
  CROSS_ORIGIN: 403,
  REQUEST_BLOCKED: 403,
  NOT_FOUND: 404,
  INVITATION_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  EMAIL_TAKEN: 409,
  IN_USE: 409,
  LAST_OWNER: 409,
  LAST_WORKSPACE: 409,
  ALREADY_MEMBER: 409,
  EMAIL_UNVERIFIED: 409,
  INVITATION_USED: 409,
  INVITATION_REVOKED: 409,
  INVITATION_EXPIRED: 409,
  /** A write that must run in the primary region (see the multi-region record). */
  WRONG_REGION: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION_FAILED: 422,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  UNAVAILABLE: 503,
} as const satisfies Record<string, number>

export type ErrorCode = keyof typeof STATUS
export type ErrorDetails = Record<string, unknown>

export function statusOf(code: ErrorCode): number {
  return STATUS[code]
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(STATUS, value)
}

/** The code a bare status stands for, when a refusal carries no code of its own. */
export function codeOfStatus(status: number): ErrorCode {
  const exact = (Object.keys(STATUS) as ErrorCode[]).find((code) => STATUS[code] === status)
  return exact ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST')
}

/** A rule refused the change; `field` names the form field (or API body field) to blame, if any. */
export class DomainError extends Error {
  constructor(
    message: string,
    readonly field?: string,
    readonly code: ErrorCode = 'CONFLICT',
    readonly details: ErrorDetails = {},
  ) {
    super(message)
  }
}

/** The failure envelope's body, `{ error: { code, message, details, traceId } }`, for every door. */
export function errorBody(code: ErrorCode, message: string, details: ErrorDetails, traceId: string) {
  return { error: { code, message, details, traceId } }
}

/**
 * What a guard throws to refuse a request, on either door: a Response with the
 * code's status and the envelope without its traceId (each door adds it). A
 * page's error boundary shows the message; the API's envelope keeps the code.
 */
export function refusal(code: ErrorCode, message: string, options: { details?: ErrorDetails; headers?: HeadersInit } = {}): Response {
  const headers = new Headers(options.headers)
  headers.set('Content-Type', 'application/json; charset=utf-8')
  return new Response(JSON.stringify({ error: { code, message, details: options.details ?? {} } }), {
    status: statusOf(code),
    headers,
  })
}

export const notFound = (message = 'Not found') => refusal('NOT_FOUND', message)

/** A domain rule's refusal as a thrown Response (for routes that do not reply with a form). */
export function refusalOf(error: DomainError): Response {
  const details = error.field ? { ...error.details, [error.field]: [error.message] } : error.details
  return refusal(error.code, error.message, { details })
}

/** The code and message a refusal Response carries (see refusal()); null for other bodies. */
export function readRefusal(data: unknown): { code: ErrorCode; message: string; details: ErrorDetails } | null {
  const error = (data as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error
  if (!error || !isErrorCode(error.code) || typeof error.message !== 'string') return null
  return { code: error.code, message: error.message, details: (error.details as ErrorDetails) ?? {} }
}
