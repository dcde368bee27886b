/**
 * The API door: who is calling, from the bearer token only, never the cookie
 * (a browser cannot be tricked into sending one, so the API needs no CSRF
 * defence). A token is either a session from POST /api/auth/login (the same
 * sessions as the cookie's) or a personal access token, whose scope narrows
 * what its user may do. From the principal on, the API goes through the same
 * guards as the pages (app/access).
 */
import { projectOf, workspaceOf } from '~/access/resources.server'
import { resolveTenant, userActor, type Principal } from '~/access/tenant.server'
import { openRequest } from '~/auth/opening.server'
import { sessionCredential, validateSessionToken } from '~/auth/session.server'
import { refusal } from '~/lib/errors'
import { memoize } from '~/lib/request-context'
import { isApiToken, touchApiToken } from '~/models/api-token.server'
import type { Actor } from '~/models/db.server'
import type { Credential } from '~/models/request-transaction.server'
import type { Tenant } from '~/models/tenant.server'
import type { ApiArgs } from './route.server'

/** An API principal also knows its credential: which session, or which token. */
export interface ApiPrincipal extends Principal {
  credential: { kind: 'session'; sessionId: string } | { kind: 'token'; tokenId: string }
}

/** A token's last use is noted at most once a minute (the tokens page shows it). */
const TOKEN_TOUCH_MS = 60_000

const BEARER = /^Bearer +([\w~+/.-]{1,256}=*) *$/i

function unauthorized(message: string) {
  return refusal('UNAUTHORIZED', message, { headers: { 'WWW-Authenticate': 'Bearer realm="api"' } })
}
/** One answer for unknown, expired and revoked tokens: nothing to probe. */
const invalidToken = () => unauthorized('The token is invalid, expired or revoked')

/** The bearer token as a credential, for what outlives its request (a live-update stream re-checks it). */
export function bearerCredential(request: Request): Credential | null {
  const token = BEARER.exec(request.headers.get('authorization') ?? '')?.[1]
  if (!token) return null
  return isApiToken(token) ? { kind: 'token', secret: token } : sessionCredential(token)
}

async function authenticate({ request, context, params }: ApiArgs): Promise<ApiPrincipal> {
  const header = request.headers.get('authorization')
  if (!header) throw unauthorized('Send a token: Authorization: Bearer <token>')
  const token = BEARER.exec(header)?.[1]
  if (!token) throw unauthorized('The Authorization header must read: Bearer <token>')
  if (!isApiToken(token)) {
    const session = await validateSessionToken(token, request, context, params, true)
    if (!session) throw invalidToken()
    return { user: session.user, scope: null, credential: { kind: 'session', sessionId: session.sessionId } }
  }
  const opening = await openRequest(context, { kind: 'token', secret: token }, params, true)
  if (!opening.user || !opening.token) throw invalidToken()
  const { id, lastUsedAt, organizationId, permissions } = opening.token
  if (!lastUsedAt || Date.now() - lastUsedAt.getTime() >= TOKEN_TOUCH_MS) context.database.afterFinish(() => touchApiToken(id))
  return { user: opening.user, scope: { organizationId, permissions }, credential: { kind: 'token', tokenId: id } }
}

/** The caller, once per request; 401 without a valid bearer token. */
export function requireApiUser(args: ApiArgs): Promise<ApiPrincipal> {
  return memoize(args.context, 'api:principal', () => authenticate(args))
}

/** Work outside any organization (creating one) is for unscoped credentials only. */
export function requireUnscoped(principal: Principal, what: string) {
  if (principal.scope?.organizationId || principal.scope?.permissions) {
    throw refusal('FORBIDDEN', `A token limited to an organization or to some permissions cannot ${what}`)
  }
}

export function apiActor(principal: Principal, { request, context }: ApiArgs): Actor {
  return userActor(principal.user, request, context, principal.scope)
}

/** The `{orgId}` organization as the caller's tenant (see resolveTenant). */
export async function requireApiTenant(args: ApiArgs): Promise<Tenant> {
  return resolveTenant(await requireApiUser(args), { id: args.params.orgId ?? '' }, args.request, args.context)
}

/** The `{wsId}` workspace of the tenant. */
export async function requireApiWorkspace(args: ApiArgs) {
  const tenant = await requireApiTenant(args)
  const workspace = await workspaceOf(tenant, { id: args.params.wsId ?? '' }, args.context)
  return { tenant, workspace }
}

/** The `{projectId}` project of the `{wsId}` workspace. */
export async function requireApiProject(args: ApiArgs) {
  const { tenant, workspace } = await requireApiWorkspace(args)
  const project = await projectOf(tenant, workspace, { id: args.params.projectId ?? '' }, args.context)
  return { tenant, workspace, project }
}
