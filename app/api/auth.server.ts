/**
 * Who is calling the API, and in which organization. Only bearer tokens count
 * here, never the cookie: a browser cannot be tricked into sending one, so the
 * API needs no CSRF defence. A token is either a session from
 * POST /api/auth/login (the same sessions as the cookie's) or a personal
 * access token, whose scope narrows what its user may do.
 */
import { validateSessionToken, type SessionUser } from '~/auth/session.server'
import { isApiToken, resolveApiToken, type TokenScope } from '~/models/api-token.server'
import type { Actor } from '~/models/db.server'
import { findProjectById } from '~/models/project.server'
import { findMembershipById } from '~/models/tenant.server'
import { findWorkspaceById } from '~/models/workspace.server'
import { effectivePermissions, permits } from '~/utils/permissions'
import { enforceTenantLimits } from '~/utils/rate-limit.server'
import { memoize } from '~/utils/request-context'
import { requireProjectList, requireVisibleWorkspace, requireWorkspaceList, toTenant, userActor, type Tenant } from '~/utils/tenant.server'
import { ApiError, notFound } from './envelope.server'
import type { ApiArgs } from './route.server'

export type Credential = { kind: 'session'; sessionId: string } | { kind: 'token'; tokenId: string; scope: TokenScope }

export interface ApiPrincipal {
  user: SessionUser
  credential: Credential
}

const UNSCOPED: TokenScope = { organizationId: null, permissions: null }
const BEARER = /^Bearer +([\w~+/.-]{1,256}=*) *$/i

function unauthorized(message: string) {
  return new ApiError(401, 'UNAUTHORIZED', message, {}, { 'WWW-Authenticate': 'Bearer realm="api"' })
}
/** One answer for unknown, expired and revoked tokens: nothing to probe. */
const invalidToken = () => unauthorized('The token is invalid, expired or revoked')
const organizationNotFound = () => notFound('Organization not found')

async function authenticate({ request, context }: ApiArgs): Promise<ApiPrincipal> {
  const header = request.headers.get('authorization')
  if (!header) throw unauthorized('Send a token: Authorization: Bearer <token>')
  const token = BEARER.exec(header)?.[1]
  if (!token) throw unauthorized('The Authorization header must read: Bearer <token>')
  if (isApiToken(token)) {
    const found = await resolveApiToken(token)
    if (!found) throw invalidToken()
    return { user: found.user, credential: { kind: 'token', tokenId: found.tokenId, scope: found.scope } }
  }
  const session = await validateSessionToken(token, request, context)
  if (!session) throw invalidToken()
  return { user: session.user, credential: { kind: 'session', sessionId: session.sessionId } }
}

/** The caller, once per request; 401 without a valid bearer token. */
export function requireApiUser(args: ApiArgs): Promise<ApiPrincipal> {
  return memoize(args.context, 'api:principal', () => authenticate(args))
}

export function scopeOf(principal: ApiPrincipal): TokenScope {
  return principal.credential.kind === 'token' ? principal.credential.scope : UNSCOPED
}

/** Work outside any organization (creating one) is for unscoped credentials only. */
export function requireUnscoped(principal: ApiPrincipal, what: string) {
  const scope = scopeOf(principal)
  if (scope.organizationId || scope.permissions) {
    throw new ApiError(403, 'FORBIDDEN', `A token limited to an organization or to some permissions cannot ${what}`)
  }
}

/** The caller as the database sees them: a token's scope goes into the claims. */
function withScope<A extends Actor>(principal: ApiPrincipal, actor: A): A {
  return principal.credential.kind === 'token' ? { ...actor, token: principal.credential.scope } : actor
}

export function apiActor(principal: ApiPrincipal, { request, context }: ApiArgs): Actor {
  return withScope(principal, userActor(principal.user, request, context))
}

/** What a member holds, cut down to what the token allows (both with inheritance). */
function narrow(held: readonly string[], allowed: readonly string[] | null): readonly string[] {
  return allowed ? effectivePermissions(held).filter((permission) => permits(allowed, permission)) : held
}

/**
 * The `{orgId}` organization as the caller's tenant. Not a UUID, not theirs,
 * not reachable with this token: the same 404 as an organization that does not exist.
 */
export async function requireApiTenant(args: ApiArgs): Promise<Tenant> {
  const principal = await requireApiUser(args)
  const organizationId = args.params.orgId ?? ''
  const scope = scopeOf(principal)
  if (scope.organizationId && scope.organizationId !== organizationId.toLowerCase()) throw organizationNotFound()
  const membership = await findMembershipById(apiActor(principal, args), organizationId)
  if (!membership) throw organizationNotFound()
  const member = toTenant(principal.user, membership, args.request, args.context)
  const tenant: Tenant = {
    ...member,
    permissions: narrow(member.permissions, scope.permissions),
    grants: member.grants.map((grant) => ({ ...grant, permissions: narrow(grant.permissions, scope.permissions) })),
    actor: withScope(principal, member.actor),
  }
  // The same per-member and per-organization limits as the pages (429 in the envelope).
  await enforceTenantLimits(tenant, args.request, args.context)
  return tenant
}

/** The `{wsId}` workspace of the tenant; 404 when it is not a UUID or not there. */
export async function requireApiWorkspace(args: ApiArgs) {
  const tenant = await requireApiTenant(args)
  await requireWorkspaceList(tenant)
  const workspace = await findWorkspaceById(tenant.actor, args.params.wsId ?? '')
  if (!workspace) throw notFound('Workspace not found')
  await requireVisibleWorkspace(tenant, workspace.id)
  return { tenant, workspace }
}

/** The `{projectId}` project of the `{wsId}` workspace; 404 when it is not a UUID or not there. */
export async function requireApiProject(args: ApiArgs) {
  const { tenant, workspace } = await requireApiWorkspace(args)
  await requireProjectList(tenant, workspace.id)
  const project = await findProjectById(tenant.actor, workspace.id, args.params.projectId ?? '')
  if (!project) throw notFound('Project not found')
  return { tenant, workspace, project }
}
