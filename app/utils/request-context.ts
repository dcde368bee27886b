import type { Logger } from 'pino'

/** What the HTTP layer hands every loader and action (see app/server/http.server.ts). */
export interface RequestContext {
  traceId: string
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
