/**
 * Rate limiting and brute-force protection, as the rest of the app sees it.
 * This is the one place that builds limiters (app/rate-limit/ holds the
 * parts); routes call these functions and never construct a limiter.
 *
 *   HTTP layer        rateLimitRequests()            global (per process) and per IP, before any route runs
 *   requireTenant     enforceTenantLimits()          per user and per organization, each with a burst allowance
 *   expensive routes  enforceEndpointLimit()         invite, export, token creation: per organization and hour
 *   sign-in           beginSignIn()                  consecutive failures, per IP per day, per account per hour
 */
import type { AppLoadContext } from '@remix-run/node'
import { pino } from 'pino'
import {
  readRateLimitOverrides,
  recentRateLimitHits,
  recordRateLimitHit,
  saveRateLimitOverrides,
} from '~/models/rate-limit-settings.server'
import { recordSecurityEvent } from '~/models/security-event.server'
import { normalizeEmail, recordSignIn } from '~/models/user.server'
import { limitRequests } from '~/rate-limit/express.server'
import { createRateLimits, type RateLimits } from '~/rate-limit/limits.server'
import {
  defaultLimits,
  effectiveLimits,
  maximumLimits,
  waitText,
  type Endpoint,
  type Outcome,
  type Overrides,
} from '~/rate-limit/policies'
import { noteOutcomes } from '~/rate-limit/request-outcomes'
import { rateLimited } from '~/rate-limit/responses.server'
import type { BlockReason, SignInBlock } from '~/rate-limit/sign-in.server'
import { getConfig } from './config.server'
import type { Tenant } from './tenant.server'

// One set of limiters per process, shared by the HTTP layer and the Remix
// build (each has its own copy of this module).
const globalForLimits = globalThis as unknown as { __nextsaasRateLimits?: RateLimits | null }

/** The process's limiters; null when RATE_LIMIT_ENABLED=false. */
export function rateLimits(): RateLimits | null {
  if (globalForLimits.__nextsaasRateLimits === undefined) {
    const config = getConfig()
    globalForLimits.__nextsaasRateLimits = config.RATE_LIMIT_ENABLED
      ? createRateLimits(config, pino({ level: config.LOG_LEVEL }).child({ module: 'rate-limit' }))
      : null
  }
  return globalForLimits.__nextsaasRateLimits
}

export async function closeRateLimits() {
  const limits = globalForLimits.__nextsaasRateLimits
  globalForLimits.__nextsaasRateLimits = undefined
  await limits?.close()
}

/** The HTTP layer's middleware (app/server/http.server.ts). */
export const rateLimitRequests = () => limitRequests(rateLimits())

/** Refusals per policy since this process started, ready for a metrics endpoint. */
export function limitedRequestCounts(): Record<string, number> {
  return Object.fromEntries(rateLimits()?.refusals ?? [])
}

/** Where a 429 was met, for the usage page: the route's path with the organization's slug abstracted. */
function endpointOf(request: Request, tenant: Tenant) {
  const path = new URL(request.url).pathname.replace(`/orgs/${encodeURIComponent(tenant.organization.slug)}`, '/orgs/$org')
  return `${request.method} ${path}`.slice(0, 200)
}

async function enforce(tenant: Tenant, request: Request, context: AppLoadContext, outcomes: Outcome[]) {
  noteOutcomes(context, outcomes)
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
  throw rateLimited(request, refusal)
}

/** requireTenant's check, once the membership is known: 429 when the member or the organization is over its limit. */
export async function enforceTenantLimits(tenant: Tenant, request: Request, context: AppLoadContext): Promise<void> {
  const limits = rateLimits()
  if (!limits) return
  const ids = { userId: tenant.user.id, organizationId: tenant.organization.id }
  await enforce(tenant, request, context, await limits.tenant(ids, () => readRateLimitOverrides(tenant.actor)))
}

/** For expensive or sensitive actions (invite, export, token creation), after requireTenant. */
export async function enforceEndpointLimit(tenant: Tenant, endpoint: Endpoint, request: Request, context: AppLoadContext) {
  const limits = rateLimits()
  if (!limits) return
  await enforce(tenant, request, context, [await limits.endpoint(tenant.organization.id, endpoint)])
}

// ------------------------------------------------------------------ sign-in

/** The same words whichever limit refused, and whether or not the account exists. */
const signInRefusal = (outcome: Outcome) =>
  `Too many sign-in attempts. Try again in ${waitText(Math.max(1, outcome.resetSeconds))}.`

export type SignInGate =
  | { refused: string }
  | {
      /** A wrong password: the refusal message when this failure starts a block. */
      failed(userId: string | null): Promise<string | null>
      succeeded(): Promise<void>
    }

const OPEN_GATE: SignInGate = { failed: async () => null, succeeded: async () => {} }

const BLOCKS: Record<BlockReason, { severity: 'MEDIUM' | 'HIGH'; what: string }> = {
  email_ip: { severity: 'MEDIUM', what: 'consecutive failures for one email from this address' },
  ip: { severity: 'HIGH', what: 'the daily failures of this address' },
  account: { severity: 'HIGH', what: "an account's failures this hour, from any address" },
}

/** A sign-in block as BRUTE_FORCE findings of the security monitor's log (one per reason). */
function recordBlock(request: Request, context: AppLoadContext, block: SignInBlock) {
  const endpoint = `${request.method} ${new URL(request.url).pathname}`
  return recordSecurityEvent(
    { ip: context.ip, endpoint, traceId: context.traceId, sessionId: null, organization: null },
    block.reasons.map((reason) => ({
      ruleId: `sign-in-${reason.replace('_', '-')}`,
      type: 'BRUTE_FORCE' as const,
      severity: BLOCKS[reason].severity,
      location: 'body' as const,
      field: 'email',
      inName: false,
      sample: `sign-in blocked for ${waitText(block.outcome.resetSeconds)}: ${BLOCKS[reason].what}`,
      blockable: true,
      blocked: true,
    })),
  )
}

/**
 * Counts a sign-in attempt before the password is checked. Refused attempts
 * do no other work; a failure that starts a block is audited and recorded
 * as a BRUTE_FORCE security event.
 */
export async function beginSignIn(email: string, request: Request, context: AppLoadContext): Promise<SignInGate> {
  const limits = rateLimits()
  if (!limits) return OPEN_GATE
  const started = await limits.signIn.begin(normalizeEmail(email), context.ip)
  if ('refused' in started) {
    noteOutcomes(context, [started.refused])
    return { refused: signInRefusal(started.refused) }
  }
  const { attempt } = started
  return {
    async failed(userId) {
      const block = await limits.signIn.failed(attempt)
      if (!block) return null
      noteOutcomes(context, [block.outcome])
      const details = { reasons: block.reasons, failures: block.failures, retryAfterSeconds: block.outcome.resetSeconds }
      const client = { ip: context.ip, userAgent: request.headers.get('user-agent') ?? undefined }
      await Promise.all([
        recordSignIn({ action: 'user.sign_in_blocked', userId, result: 'failure', ...client, details }),
        recordBlock(request, context, block),
      ]).catch((error: unknown) => context.logger.error({ err: error }, 'could not record a sign-in block'))
      return signInRefusal(block.outcome)
    },
    succeeded: () => limits.signIn.succeeded(attempt),
  }
}

// ------------------------------------------------------------------ usage page

/** The usage page: every policy's consumption now, the limits in force and their bounds, the recent 429s. */
export async function rateLimitUsage(tenant: Tenant) {
  const config = getConfig()
  const stored = await readRateLimitOverrides(tenant.actor)
  const ids = { userId: tenant.user.id, organizationId: tenant.organization.id }
  const limits = rateLimits()
  const noStatus: Outcome[] = []
  const [status, hits] = await Promise.all([limits ? limits.status(ids, stored) : noStatus, recentRateLimitHits(tenant.actor)])
  return {
    enabled: config.RATE_LIMIT_ENABLED,
    store: limits?.store ?? null,
    status,
    hits,
    stored: (stored && typeof stored === 'object' ? stored : {}) as Overrides,
    limits: effectiveLimits(config, stored),
    defaults: defaultLimits(config),
    maximum: maximumLimits(config),
    windowSeconds: { requests: config.RATE_LIMIT_WINDOW_MS / 1000, burst: config.RATE_LIMIT_BURST_WINDOW_MS / 1000 },
  }
}

/** The system maximum an organization may set, per limit (for the owners' form). */
export const organizationLimitBounds = () => maximumLimits(getConfig())

/** Saves an owner's limits; every process applies them from its next request. */
export async function saveOrganizationRateLimits(tenant: Tenant, overrides: Overrides) {
  const values = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Record<string, number>
  await saveRateLimitOverrides(tenant.actor, values)
  await rateLimits()?.limitsChanged(tenant.organization.id)
}
