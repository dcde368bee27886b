/**
 * The limits loaders and actions enforce, with the process's limiters from
 * the load context (the HTTP layer enforces the global and per-IP ones):
 *
 *   requireTenant     enforceTenantLimits()        per user and per organization, each with a burst allowance
 *   expensive routes  enforceEndpointLimit()       invite, export: per organization and hour
 *                     enforceUserEndpointLimit()   API token creation: per user and hour
 *   account emails    enforceMailLimit()           per recipient address and hour
 *
 * Sign-in and invitation links have guards of their own (lockouts.server.ts).
 */
import type { AppLoadContext } from '@remix-run/node'
import { recordRateLimitHit } from '~/models/rate-limit-settings.server'
import type { Tenant } from '~/models/tenant.server'
import { normalizeEmail } from '~/models/user.server'
import type { OrganizationEndpoint, Outcome, UserEndpoint } from './policies'
import { rateLimited } from './responses.server'

/** Where a 429 was met, for the usage page: the route's path with the organization's slug abstracted. */
function endpointOf(request: Request, tenant: Tenant) {
  const path = new URL(request.url).pathname.replace(`/orgs/${encodeURIComponent(tenant.organization.slug)}`, '/orgs/$org')
  return `${request.method} ${path}`.slice(0, 200)
}

async function enforce(tenant: Tenant, request: Request, context: AppLoadContext, outcomes: Outcome[]) {
  context.limitOutcomes.push(...outcomes)
  const refusal = outcomes.find((o) => o.limited)
  if (!refusal) return
  if (refusal.firstRefusal) {
    await recordRateLimitHit(tenant.actor, {
      policy: refusal.policy.name,
      endpoint: endpointOf(request, tenant),
      quota: refusal.policy.quota,
      windowSeconds: refusal.policy.windowSeconds,
    }).catch((error: unknown) => context.logger.error({ err: error }, 'could not record a rate-limit hit'))
  }
  throw rateLimited(refusal)
}

/** requireTenant's check, once the membership is known: 429 when the member or the organization is over its limit. */
export async function enforceTenantLimits(tenant: Tenant, request: Request, context: AppLoadContext): Promise<void> {
  const limits = context.rateLimits
  if (!limits) return
  const ids = { userId: tenant.user.id, organizationId: tenant.organization.id }
  await enforce(tenant, request, context, await limits.tenant(ids, tenant.rateLimits))
}

/** For expensive or sensitive actions of an organization (invite, export), after requireTenant. */
export async function enforceEndpointLimit(tenant: Tenant, endpoint: OrganizationEndpoint, request: Request, context: AppLoadContext) {
  const limits = context.rateLimits
  if (!limits) return
  await enforce(tenant, request, context, [await limits.endpoint(tenant.organization.id, endpoint)])
}

/** Notes a limit outside any organization for the response's headers; over it, the 429 (logged once a window). */
function refuseIfLimited(outcome: Outcome, context: AppLoadContext, log: Record<string, unknown> = {}) {
  context.limitOutcomes.push(outcome)
  if (!outcome.limited) return
  if (outcome.firstRefusal) context.logger.warn({ policy: outcome.policy.name, ...log }, 'rate limit reached')
  throw rateLimited(outcome)
}

/** For a user's own expensive actions (API token creation), whichever organization they concern. */
export async function enforceUserEndpointLimit(userId: string, endpoint: UserEndpoint, context: AppLoadContext) {
  const limits = context.rateLimits
  if (limits) refuseIfLimited(await limits.endpoint(userId, endpoint), context, { userId })
}

/**
 * Before an account email (a reset link, a verification link, a confirmation
 * to a new address): the 429 once the address has had its hourly allowance,
 * whether or not it belongs to an account — the answer tells nothing.
 */
export async function enforceMailLimit(address: string, context: AppLoadContext) {
  const limits = context.rateLimits
  if (limits) refuseIfLimited(await limits.mail(normalizeEmail(address)), context)
}
