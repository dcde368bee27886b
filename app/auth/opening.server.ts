/**
 * A request's caller, checked once per request in the opening round trip of
 * the request's transaction (models/request-transaction.server.ts), together
 * with what the request names: pages their `$org`/`$ws`/`$project` params,
 * the API its `{orgId}`/`{wsId}`/`{projectId}`.
 */
import type { AppLoadContext } from '@remix-run/node'
import { identify, memoize } from '~/lib/request-context'
import type { Credential, Opening, RequestRefs } from '~/models/request-transaction.server'

export type RouteParams = Record<string, string | undefined>

export interface OpenedRequest extends Opening {
  refs: RequestRefs
}

const ref = (slug: string | undefined, id: string | undefined) => (slug !== undefined ? { slug } : id !== undefined ? { id } : undefined)

/** What the params name; pages also read the caller's organizations, for the header's switcher. */
function refsOf(params: RouteParams, api: boolean): RequestRefs {
  return {
    organization: ref(params.org, params.orgId),
    workspace: ref(params.ws, params.wsId),
    project: ref(params.project, params.projectId),
    organizations: !api,
  }
}

const OPENING = 'request:opening'

/** Opens the request with its credential, once: every later caller gets the same answer. */
export function openRequest(context: AppLoadContext, credential: Credential, params: RouteParams, api: boolean): Promise<OpenedRequest> {
  return memoize(context, OPENING, async () => {
    const refs = refsOf(params, api)
    const opening = await context.database.open(credential, refs)
    if (opening.user) identify(context, { userId: opening.user.id })
    return { ...opening, refs }
  })
}

/** The request's opening, if something opened it (the guards reuse what it read). */
export function openedRequest(context: AppLoadContext): Promise<OpenedRequest> | undefined {
  return context.memo.get(OPENING) as Promise<OpenedRequest> | undefined
}
