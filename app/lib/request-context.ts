import type { Logger } from 'pino'

/**
 * What the HTTP layer hands every loader and action (app/server/http.server.ts).
 * Layers that hand down more — the process's limiters, the security counters —
 * add their fields to AppLoadContext where they are defined.
 */
export interface RequestContext {
  traceId: string
  /** The client's address, as the trusted proxy configuration reads it. */
  ip: string
  logger: Logger
  /** This response's Content-Security-Policy nonce, for the scripts Remix renders. */
  cspNonce: string
  /** Adds a Set-Cookie header to the response, whatever route answers. */
  appendSetCookie(value: string): void
  /** Per-request memo, so nested loaders resolve user and tenant once. */
  memo: Map<string, Promise<unknown>>
}

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

/** The client as audit rows and sessions record it (neither is known for work outside a request). */
export interface Client {
  ip?: string
  userAgent?: string
}

export function clientOf(request: Request, context: Pick<RequestContext, 'ip'>): Client {
  return { ip: context.ip, userAgent: request.headers.get('user-agent') ?? undefined }
}
