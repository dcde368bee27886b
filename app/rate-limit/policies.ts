/**
 * What the limits are and how a client is told about them — pure functions,
 * shared by the limiters, the HTTP layer and the usage page.
 */
import { z } from 'zod'
import type { Config } from '~/lib/config.server'

export interface Policy {
  /** The name clients see in the RateLimit headers and the error details. */
  name: string
  quota: number
  windowSeconds: number
}

/** Where one request stands against one policy. */
export interface Outcome {
  policy: Policy
  remaining: number
  /** Seconds until the window (or a block) ends. */
  resetSeconds: number
  limited: boolean
  /** The refusal that used up the window: the one worth a log line or an audit row. */
  firstRefusal?: boolean
}

export const toSeconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000))

/** The structured fields of draft-ietf-httpapi-ratelimit-headers-10, plus Retry-After on a refusal. */
export function rateLimitHeaders(outcome: Outcome): Record<string, string> {
  const { name, quota, windowSeconds } = outcome.policy
  const headers: Record<string, string> = {
    'RateLimit-Policy': `"${name}";q=${quota};w=${windowSeconds}`,
    RateLimit: `"${name}";r=${outcome.remaining};t=${outcome.resetSeconds}`,
  }
  if (outcome.limited) headers['Retry-After'] = String(Math.max(1, outcome.resetSeconds))
  return headers
}

/** The outcome a client should heed: the longest refusal, else the policy closest to running out. */
export function tightest(outcomes: readonly Outcome[]): Outcome | undefined {
  let pick: Outcome | undefined
  for (const o of outcomes) {
    if (!pick) pick = o
    else if (o.limited !== pick.limited) pick = o.limited ? o : pick
    else if (o.limited ? o.resetSeconds > pick.resetSeconds : o.remaining < pick.remaining) pick = o
  }
  return pick
}

const AUDIENCE: Record<string, string> = {
  global: 'this service',
  ip: 'your network address',
  user: 'your account',
  'user-burst': 'your account',
  organization: 'this organization',
  'organization-burst': 'this organization',
  invitation: 'your network address',
  'invitation-ip': 'your network address',
}

/** Limits whose refusal names something other than who asks. */
const REFUSALS: Record<string, string> = {
  mail: 'Too many emails have been sent to this address.',
}

/** "1 minute", "10 minutes", "2 hours": how long, in words. */
export function waitText(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${Math.max(1, seconds)} seconds`
  const minutes = Math.ceil(seconds / 60)
  if (minutes < 60) return minutes === 1 ? '1 minute' : `${minutes} minutes`
  const hours = Math.ceil(minutes / 60)
  return hours === 1 ? '1 hour' : `${hours} hours`
}

/** The human sentence of a 429: which limit, and when to come back. */
export function refusalMessage(outcome: Outcome): string {
  const who = AUDIENCE[outcome.policy.name]
  const whose = endpointSubject(outcome.policy.name) === 'user' ? 'your account' : 'this organization'
  const what = REFUSALS[outcome.policy.name] ?? (who ? `Too many requests from ${who}.` : `Too many ${outcome.policy.name} requests for ${whose}.`)
  return `${what} Try again in ${waitText(Math.max(1, outcome.resetSeconds))}.`
}

// ------------------------------------------------------------ organization limits

export const LIMIT_KEYS = ['userRequests', 'userBurst', 'organizationRequests', 'organizationBurst'] as const
export type LimitKey = (typeof LIMIT_KEYS)[number]
export type OrganizationLimits = Record<LimitKey, number>

export function defaultLimits(config: Config): OrganizationLimits {
  return {
    userRequests: config.RATE_LIMIT_MAX_REQUESTS,
    userBurst: config.RATE_LIMIT_BURST,
    organizationRequests: config.RATE_LIMIT_ORG_MAX_REQUESTS,
    organizationBurst: config.RATE_LIMIT_ORG_BURST,
  }
}

const minimum = (key: LimitKey) => (key.endsWith('Burst') ? 0 : 1)

/** The system maximum an organization may set: RATE_LIMIT_OVERRIDE_MAX_FACTOR × the default. */
export function maximumLimits(config: Config): OrganizationLimits {
  const defaults = defaultLimits(config)
  const factor = config.RATE_LIMIT_OVERRIDE_MAX_FACTOR
  return Object.fromEntries(LIMIT_KEYS.map((k) => [k, Math.max(defaults[k], 1) * factor])) as OrganizationLimits
}

/** The owners' form: each field optional (empty = the default), whole numbers within the system bounds. */
export function overridesSchema(max: OrganizationLimits) {
  const field = (key: LimitKey) =>
    z
      .string()
      .trim()
      .regex(/^\d+$/, 'Enter a whole number')
      .transform(Number)
      .pipe(
        z
          .number()
          .min(minimum(key), `Use at least ${minimum(key)}`)
          .max(max[key], `Use at most ${max[key]} (the system maximum)`),
      )
      .optional()
  return z.object(Object.fromEntries(LIMIT_KEYS.map((k) => [k, field(k)])) as Record<LimitKey, ReturnType<typeof field>>)
}
export type Overrides = Partial<OrganizationLimits>

/**
 * The limits in force for an organization: its stored overrides where they are
 * whole numbers, clamped to today's bounds (a lowered maximum wins over an old
 * override), and the defaults elsewhere.
 */
export function effectiveLimits(config: Config, stored: unknown): OrganizationLimits {
  const limits = defaultLimits(config)
  const max = maximumLimits(config)
  const overrides = (stored && typeof stored === 'object' ? stored : {}) as Record<string, unknown>
  for (const key of LIMIT_KEYS) {
    const value = overrides[key]
    if (typeof value === 'number' && Number.isInteger(value)) limits[key] = Math.min(Math.max(value, minimum(key)), max[key])
  }
  return limits
}

// ------------------------------------------------------------ per-endpoint limits

/**
 * Expensive or sensitive actions, limited per hour on top of everything else:
 * per organization, except API token creation, per user — a token belongs to
 * its user, and an organization it names is no key for a stranger to spend.
 */
export const ENDPOINTS = ['invite', 'export', 'token'] as const
export type Endpoint = (typeof ENDPOINTS)[number]
export type UserEndpoint = 'token'
export type OrganizationEndpoint = Exclude<Endpoint, UserEndpoint>
const USER_ENDPOINTS: ReadonlySet<string> = new Set<UserEndpoint>(['token'])

/** Whose hourly allowance an endpoint spends. */
export const endpointSubject = (endpoint: string): 'user' | 'organization' => (USER_ENDPOINTS.has(endpoint) ? 'user' : 'organization')

export function endpointQuota(config: Config, endpoint: Endpoint): number {
  return {
    invite: config.RATE_LIMIT_INVITES_PER_HOUR,
    export: config.RATE_LIMIT_EXPORTS_PER_HOUR,
    token: config.RATE_LIMIT_TOKENS_PER_HOUR,
  }[endpoint]
}
