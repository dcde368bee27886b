/**
 * The JSON API through openapi-fetch, typed by the generated app/api/openapi.d.ts:
 * a test that calls a path, a method or a field the contract does not have
 * fails to compile (npm run typecheck), as a client's build would.
 */
import createClient, { type Client } from 'openapi-fetch'
import type { paths } from '~/api/openapi'

export type TypedApi = Client<paths>

/** A client for `origin`, signed with `token` (none: anonymous). Never follows redirects; no Origin header, as a script calls. */
export function typedApi(origin: string, token?: string): TypedApi {
  return createClient<paths>({
    baseUrl: origin,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    fetch: (request) => fetch(request, { redirect: 'manual' }),
  })
}
