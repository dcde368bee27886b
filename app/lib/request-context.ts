import type { Logger } from 'pino'

/**
 * What the HTTP layer hands every loader and action (app/server/http.server.ts).
 * Layers that hand down more — the process's limiters, the security counters —
 * add their fields to AppLoadContext where they are defined.
 */
export interface RequestContext {
  traceId: string
  /** The client's address, as TRUST_PROXY allows it to be read (server/client-ip.server.ts): the one every limit, block, audit row and log line uses. */
  ip: string
  logger: Logger
  /** This response's Content-Security-Policy nonce, for the scripts Remix renders. */
  cspNonce: string
  /** Adds a Set-Cookie header to the response, whatever route answers. */
  appendSetCookie(value: string): void
  /** Per-request memo, so nested loaders resolve user and tenant once. */
  memo: Map<string, Promise<unknown>>
  /** Who and where, as far as the request has resolved them (see identify()). */
  identity: RequestIdentity
  /** The process's business counters: each audit row the request writes is counted (server/metrics.server.ts). */
  audits: AuditCounter
  /** Reports an unexpected error with the request's traceId and identity (to Sentry when SENTRY_DSN is set; server/error-reports.server.ts). */
  reportError(error: unknown): void
}

/** What the request log and error reports say about a request beyond its traceId. */
export interface RequestIdentity {
  userId?: string
  organizationId?: string
  /** The Remix route that answers (its id, such as `routes/orgs.$org.workspaces.$ws._index`). */
  routeId?: string
}

/** An audit row as the metrics count it. */
export interface AuditedEntry {
  action: string
  result: string
  details?: Record<string, unknown>
}
export type AuditCounter = (entry: AuditedEntry) => void

declare module '@remix-run/server-runtime' {
  interface AppLoadContext extends RequestContext {}
}

export function memoize<T>(context: RequestContext, key: string, load: () => Promise<T>): Promise<T> {
  let value = context.memo.get(key) as Promise<T> | undefined
  if (!value) {
    value = load()
    context.memo.set(key, value)
  }
  return value
}

/**
 * Adds what the request has just resolved to its later log lines (pino
 * bindings) and to its error report: the signed-in user, the organization,
 * the route. A field already known with the same value is not added again.
 */
export function identify(context: Pick<RequestContext, 'identity' | 'logger'>, fields: RequestIdentity) {
  const added = Object.fromEntries(
    Object.entries(fields).filter(([key, value]) => value !== undefined && context.identity[key as keyof RequestIdentity] !== value),
  )
  if (Object.keys(added).length === 0) return
  Object.assign(context.identity, added)
  context.logger.setBindings(added)
}

/**
 * The request as audit rows and sessions record it (none of it is known for
 * work outside a request): the client, the traceId that joins the rows to the
 * log lines, and the counters that count the rows.
 */
export interface Client {
  ip?: string
  userAgent?: string
  traceId?: string
  audits?: AuditCounter
}

export function clientOf(request: Request, context: Pick<RequestContext, 'ip' | 'traceId' | 'audits'>): Client {
  return { ip: context.ip, userAgent: request.headers.get('user-agent') ?? undefined, traceId: context.traceId, audits: context.audits }
}
