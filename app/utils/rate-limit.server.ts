/**
 * Rate limiting and brute-force protection, as the rest of the app sees it.
 * This is the one place that builds limiters (app/rate-limit/ holds the
 * parts); routes call these functions and never construct a limiter.
 *
 *   HTTP layer        rateLimitRequests()            global (per process) and per IP, before any route runs
 *   requireTenant     enforceTenantLimits()          per user and per organization, each with a burst allowance
 *   expensive routes  enforceEndpointLimit()         invite, export: per organization and hour
 *                     enforceUserEndpointLimit()     API token creation: per user and hour
 *   sign-in           beginSignIn()                  consecutive failures, per IP per day, per account per hour
 *   invitation links  guardInvitationLookup()        consecutive failures and per day, per IP
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
import { normalizeEmail, recordAuthEvent } from '~/models/user.server'
import { limitRequests } from '~/rate-limit/express.server'
import type { Block, BlockReason } from '~/rate-limit/brute-force.server'
import { createRateLimits, type RateLimits } from '~/rate-limit/limits.server'
import {
  defaultLimits,
  effectiveLimits,
  maximumLimits,
  waitText,
  type OrganizationEndpoint,
  type Outcome,
  type Overrides,
  type UserEndpoint,
} from '~/rate-limit/policies'
import { noteOutcomes } from '~/rate-limit/request-outcomes'
import { rateLimited } from '~/rate-limit/responses.server'
import { countFinding } from '~/security/metrics'
import type { Location } from '~/security/types'
import { getConfig } from './config.server'
import { memoize } from './request-context'
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
export const rateLimitRequests = (limits = rateLimits()) => limitRequests(limits)

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

/** For expensive or sensitive actions of an organization (invite, export), after requireTenant. */
export async function enforceEndpointLimit(tenant: Tenant, endpoint: OrganizationEndpoint, request: Request, context: AppLoadContext) {
  const limits = rateLimits()
  if (!limits) return
  await enforce(tenant, request, context, [await limits.endpoint(tenant.organization.id, endpoint)])
}

/** Notes a limit outside any organization for the response's headers; over it, the 429 (logged once a window). */
function refuseIfLimited(outcome: Outcome, request: Request, context: AppLoadContext, log: Record<string, unknown> = {}) {
  noteOutcomes(context, [outcome])
  if (!outcome.limited) return
  if (outcome.firstRefusal) context.logger.warn({ policy: outcome.policy.name, ...log }, 'rate limit reached')
  throw rateLimited(request, outcome)
}

/** For a user's own expensive actions (API token creation), whichever organization they concern. */
export async function enforceUserEndpointLimit(userId: string, endpoint: UserEndpoint, request: Request, context: AppLoadContext) {
  const limits = rateLimits()
  if (limits) refuseIfLimited(await limits.endpoint(userId, endpoint), request, context, { userId })
}

/**
 * Before an account email (a reset link, a verification link, a confirmation
 * to a new address): the 429 once the address has had its hourly allowance,
 * whether or not it belongs to an account — the answer tells nothing.
 */
export async function enforceMailLimit(address: string, request: Request, context: AppLoadContext) {
  const limits = rateLimits()
  if (limits) refuseIfLimited(await limits.mail(normalizeEmail(address)), request, context)
}

// ------------------------------------------------------------------ brute-force blocks

/** How a block reason reads in the audit log and in the security monitor's log. */
interface BlockRecord {
  name: string
  severity: 'MEDIUM' | 'HIGH'
  what: string
}

/** How one guard's blocks are recorded. */
interface GuardRecords {
  /** The audit action of a block. */
  action: string
  /** The security events' rule-id prefix, and what their sample says was blocked. */
  rule: string
  label: string
  /** The request as recorded: `METHOD /path`, with a secret in the path abstracted. */
  endpoint(request: Request): string
  location: Location
  field: string | null
  reasons: Partial<Record<BlockReason, BlockRecord>>
}

const SIGN_IN: GuardRecords = {
  action: 'user.sign_in_blocked',
  rule: 'sign-in',
  label: 'sign-in',
  endpoint: (request) => `${request.method} ${new URL(request.url).pathname}`,
  location: 'body',
  field: 'email',
  reasons: {
    consecutive: { name: 'email_ip', severity: 'MEDIUM', what: 'consecutive failures for one email from this address' },
    ip: { name: 'ip', severity: 'HIGH', what: 'the daily failures of this address' },
    account: { name: 'account', severity: 'HIGH', what: "an account's failures this hour, from any address" },
  },
}

const INVITATION_LINKS: GuardRecords = {
  action: 'user.invitation_links_blocked',
  rule: 'invitation',
  label: 'invitation links',
  endpoint: (request) => `${request.method} /invitations/$token`,
  location: 'path',
  field: null,
  reasons: {
    consecutive: { name: 'consecutive', severity: 'MEDIUM', what: 'consecutive unknown, expired or revoked invitation links from this address' },
    ip: { name: 'ip', severity: 'HIGH', what: 'the daily invalid invitation links of this address' },
  },
}

/**
 * A block that a failure has just started: audited, recorded as BRUTE_FORCE
 * findings of the security monitor's log (one per reason) and counted in its metrics.
 */
async function recordBlock(request: Request, context: AppLoadContext, records: GuardRecords, block: Block, userId: string | null) {
  const reasons = block.reasons.flatMap((reason) => records.reasons[reason] ?? [])
  for (const reason of reasons) countFinding('BRUTE_FORCE', reason.severity)
  const details = { reasons: reasons.map((r) => r.name), failures: block.failures, retryAfterSeconds: block.outcome.resetSeconds }
  const client = { ip: context.ip, userAgent: request.headers.get('user-agent') ?? undefined }
  const observed = { ip: context.ip, endpoint: records.endpoint(request), traceId: context.traceId, sessionId: null, organization: null }
  await Promise.all([
    recordAuthEvent({ action: records.action, userId, result: 'failure', ...client, details }),
    recordSecurityEvent(
      observed,
      reasons.map((reason) => ({
        ruleId: `${records.rule}-${reason.name.replace('_', '-')}`,
        type: 'BRUTE_FORCE' as const,
        severity: reason.severity,
        location: records.location,
        field: records.field,
        inName: false,
        sample: `${records.label} blocked for ${waitText(block.outcome.resetSeconds)}: ${reason.what}`,
        blockable: true,
        blocked: true,
      })),
    ),
  ]).catch((error: unknown) => context.logger.error({ err: error }, 'could not record a brute-force block'))
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
      await recordBlock(request, context, SIGN_IN, block, userId)
      return signInRefusal(block.outcome)
    },
    succeeded: () => limits.signIn.succeeded(attempt),
  }
}

// ------------------------------------------------------------------ invitation links

export interface InvitationLookup {
  /** Unknown, expired or revoked: counts toward a block, and throws the 429 when it starts one. */
  failed(userId?: string): Promise<void>
  /** A real invitation, not accepted now (shown, already used, meant for someone else): nothing counts. */
  found(): Promise<void>
  /** Accepted: this address's consecutive failures start over. */
  accepted(): Promise<void>
}

const OPEN_LOOKUP: InvitationLookup = { failed: async () => {}, found: async () => {}, accepted: async () => {} }

/**
 * Counts a lookup of an invitation token by the client's address before the
 * token is looked up, and throws the 429 while the address is blocked. One
 * lookup per request: what an action settles, its revalidating loader does
 * not count again.
 */
export async function guardInvitationLookup(request: Request, context: AppLoadContext): Promise<InvitationLookup> {
  const limits = rateLimits()
  if (!limits) return OPEN_LOOKUP
  const guard = limits.invitationLinks
  const lookup = await memoize(context, 'invitation-lookup', async () => ({ started: await guard.begin(null, context.ip), settled: false }))
  if ('refused' in lookup.started) {
    noteOutcomes(context, [lookup.started.refused])
    throw rateLimited(request, lookup.started.refused)
  }
  const { attempt } = lookup.started
  /** True for the first outcome of this request's lookup only. */
  const first = () => !lookup.settled && (lookup.settled = true)
  return {
    async failed(userId) {
      if (!first()) return
      const block = await guard.failed(attempt)
      if (!block) return
      noteOutcomes(context, [block.outcome])
      await recordBlock(request, context, INVITATION_LINKS, block, userId ?? null)
      throw rateLimited(request, block.outcome)
    },
    async found() {
      if (first()) await guard.neutral(attempt)
    },
    async accepted() {
      if (first()) await guard.succeeded(attempt)
    },
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
