/**
 * The brute-force guards of sign-in and invitation links, as routes use them:
 * each attempt is counted before the secret is checked, and a failure that
 * starts a lock is audited, recorded as BRUTE_FORCE findings of the
 * security monitor's log (counted in its metrics too) and mailed to operators
 * (SECURITY_ALERT_EMAILS).
 *
 *   sign-in           beginSignIn()             consecutive failures, per IP per day, per account per hour
 *   invitation links  guardInvitationLookup()   consecutive failures and per day, per IP
 */
import type { AppLoadContext } from '@remix-run/node'
import { clientOf, memoize } from '~/lib/request-context'
import { recordSecurityEvent } from '~/models/security-event.server'
import { normalizeEmail, recordAuthEvent } from '~/models/user.server'
import type { Location } from '~/security/types'
import type { Block, BlockReason } from './brute-force.server'
import { waitText, type Outcome } from './policies'
import { rateLimited } from './responses.server'

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
  location: Location
  field: string | null
  reasons: Partial<Record<BlockReason, BlockRecord>>
}

const SIGN_IN: GuardRecords = {
  action: 'user.sign_in_blocked',
  rule: 'sign-in',
  label: 'sign-in',
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
  for (const reason of reasons) context.securityCounters.countFinding('BRUTE_FORCE', reason.severity)
  const details = { reasons: reasons.map((r) => r.name), failures: block.failures, retryAfterSeconds: block.outcome.resetSeconds }
  const client = clientOf(request, context)
  // A secret in the path (an invitation's token) is redacted where events are written and mailed.
  const endpoint = `${request.method} ${new URL(request.url).pathname}`
  const observed = { ip: context.ip, endpoint, traceId: context.traceId, sessionId: null, organization: null }
  const sample = (reason: BlockRecord) => `${records.label} blocked for ${waitText(block.outcome.resetSeconds)}: ${reason.what}`
  const ruleId = (reason: BlockRecord) => `${records.rule}-${reason.name.replace('_', '-')}`
  context.securityAlerts?.notify(
    reasons.map((reason) => ({
      at: new Date(),
      type: 'BRUTE_FORCE' as const,
      severity: reason.severity,
      rule: ruleId(reason),
      ip: context.ip,
      endpoint,
      traceId: context.traceId,
      sample: sample(reason),
      blocked: true,
    })),
  )
  await Promise.all([
    recordAuthEvent({ action: records.action, userId, result: 'failure', ...client, details }),
    recordSecurityEvent(
      observed,
      reasons.map((reason) => ({
        ruleId: ruleId(reason),
        type: 'BRUTE_FORCE' as const,
        severity: reason.severity,
        location: records.location,
        field: records.field,
        inName: false,
        sample: sample(reason),
        blockable: true,
        blocked: true,
      })),
    ),
  ]).catch((error: unknown) => context.logger.error({ err: error }, 'could not record a brute-force block'))
}

// ------------------------------------------------------------------ sign-in

/** The same words whichever limit refused, and whether or not the account exists. */
const signInRefusal = (outcome: Outcome) => `Too many sign-in attempts. Try again in ${waitText(Math.max(1, outcome.resetSeconds))}.`

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
  const limits = context.rateLimits
  if (!limits) return OPEN_GATE
  const started = await limits.signIn.begin(normalizeEmail(email), context.ip)
  if ('refused' in started) {
    context.limitOutcomes.push(started.refused)
    return { refused: signInRefusal(started.refused) }
  }
  const { attempt } = started
  return {
    async failed(userId) {
      const block = await limits.signIn.failed(attempt)
      if (!block) return null
      context.limitOutcomes.push(block.outcome)
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
  const limits = context.rateLimits
  if (!limits) return OPEN_LOOKUP
  const guard = limits.invitationLinks
  const lookup = await memoize(context, 'invitation-lookup', async () => ({ started: await guard.begin(null, context.ip), settled: false }))
  if ('refused' in lookup.started) {
    context.limitOutcomes.push(lookup.started.refused)
    throw rateLimited(lookup.started.refused)
  }
  const { attempt } = lookup.started
  /** True for the first outcome of this request's lookup only. */
  const first = () => !lookup.settled && (lookup.settled = true)
  return {
    async failed(userId) {
      if (!first()) return
      const block = await guard.failed(attempt)
      if (!block) return
      context.limitOutcomes.push(block.outcome)
      await recordBlock(request, context, INVITATION_LINKS, block, userId ?? null)
      throw rateLimited(block.outcome)
    },
    async found() {
      if (first()) await guard.neutral(attempt)
    },
    async accepted() {
      if (first()) await guard.succeeded(attempt)
    },
  }
}
