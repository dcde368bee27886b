/**
 * The limiters and the decisions they make: global and per-IP for the HTTP
 * layer, per user and per organization (each with a burst allowance) for
 * requireTenant, per endpoint for expensive actions, and the brute-force
 * guards of sign-in and invitation links.
 *
 * The library counts; this module decides. Overridable policies are built
 * with the system maximum as their points, and each request is compared with
 * its organization's own limit — so an owner's change applies on the next
 * request without a limiter per value.
 */
import { createHash } from 'node:crypto'
import type { Logger } from 'pino'
import { RateLimiterMemory } from 'rate-limiter-flexible'
import type { Config } from '~/lib/config.server'
import { createBruteForceGuard, type BruteForceGuard } from './brute-force.server'
import { judge, take, type Limiter, type Taken } from './counting.server'
import { ENDPOINTS, effectiveLimits, endpointQuota, endpointSubject, maximumLimits, type Endpoint, type Outcome, type Policy } from './policies'
import { createSecurityBlock } from './security-block.server'
import { keyPrefix, openStore } from './stores.server'

declare module '@remix-run/server-runtime' {
  interface AppLoadContext {
    /** The process's limiters, handed down by the HTTP layer; null when rate limiting is off. */
    rateLimits: RateLimits | null
    /**
     * The limits this request met on its way — the HTTP layer's and those
     * checked in loaders and actions — so that the response headers can
     * describe the tightest.
     */
    limitOutcomes: Outcome[]
  }
}

/** A sustained policy with a burst allowance on top (BurstyRateLimiter's rule, with both parts visible). */
interface Bursty {
  sustained: { policy: Policy; limiter: Limiter }
  burst: { policy: Policy; limiter: Limiter }
}

async function takeBursty(b: Bursty, key: string, quota: number, burstQuota: number, sustainedTaken: Taken): Promise<Outcome> {
  const sustained = judge(b.sustained.policy, sustainedTaken, quota)
  if (!sustained.limited || burstQuota === 0) return sustained
  const burst = judge(b.burst.policy, await take(b.burst.limiter, key), burstQuota)
  if (!burst.limited) return burst
  return {
    ...sustained,
    resetSeconds: Math.min(sustained.resetSeconds, burst.resetSeconds),
    firstRefusal: burst.firstRefusal,
  }
}

/** Where a key stands without spending a point (the usage page). */
async function peek(limiter: Limiter, policy: Policy, key: string, quota: number): Promise<Outcome> {
  const res = await limiter.get(key)
  return judge(policy, { consumed: res?.consumedPoints ?? 0, resetMs: res?.msBeforeNext ?? 0, refused: false }, quota)
}

export type RateLimits = ReturnType<typeof createRateLimits>

export function createRateLimits(config: Config, logger: Logger) {
  const store = openStore(config, logger)
  const prefix = keyPrefix(config)
  const seconds = (ms: number) => ms / 1000
  const limiter = (name: string, points: number, windowSeconds: number, blockInMemory = false) =>
    store.limiter({ keyPrefix: `${prefix}:${name}`, points, seconds: windowSeconds, blockInMemory })
  const policy = (name: string, quota: number, windowSeconds: number): Policy => ({ name, quota, windowSeconds })
  const max = maximumLimits(config)

  // Per process by design: it guards this process's capacity, with no store round trip.
  const globalPolicy = policy('global', config.RATE_LIMIT_GLOBAL_MAX_REQUESTS, seconds(config.RATE_LIMIT_GLOBAL_WINDOW_MS))
  const global = new RateLimiterMemory({ points: globalPolicy.quota, duration: globalPolicy.windowSeconds })
  const ipPolicy = policy('ip', config.RATE_LIMIT_IP_MAX_REQUESTS, seconds(config.RATE_LIMIT_IP_WINDOW_MS))
  const ip = limiter('ip', ipPolicy.quota, ipPolicy.windowSeconds, true)

  const bursty = (name: string, sustainedMax: number, burstMax: number): Bursty => {
    const window = seconds(config.RATE_LIMIT_WINDOW_MS)
    const burstWindow = seconds(config.RATE_LIMIT_BURST_WINDOW_MS)
    return {
      sustained: { policy: policy(name, sustainedMax, window), limiter: limiter(name, sustainedMax, window) },
      burst: { policy: policy(`${name}-burst`, burstMax, burstWindow), limiter: limiter(`${name}_burst`, burstMax, burstWindow) },
    }
  }
  const user = bursty('user', max.userRequests, max.userBurst)
  const organization = bursty('organization', max.organizationRequests, max.organizationBurst)

  // Per recipient, whoever asks: no address can be flooded with account emails.
  const mailPolicy = policy('mail', config.RATE_LIMIT_MAILS_PER_HOUR, 3600)
  const mail = limiter('mail', mailPolicy.quota, mailPolicy.windowSeconds)

  const endpoints = Object.fromEntries(
    ENDPOINTS.map((e) => {
      const p = policy(e, endpointQuota(config, e), 3600)
      return [e, { policy: p, limiter: limiter(`endpoint_${e}`, p.quota, p.windowSeconds) }]
    }),
  ) as Record<Endpoint, { policy: Policy; limiter: Limiter }>

  /** Refusals per policy since the process started, for the metrics endpoint. */
  const refusals = new Map<string, number>()
  function count(outcomes: Outcome[]): Outcome[] {
    for (const o of outcomes) if (o.limited) refusals.set(o.policy.name, (refusals.get(o.policy.name) ?? 0) + 1)
    return outcomes
  }

  /** A brute-force guard whose refusals and blocks count with the other policies' 429s. */
  function counted(guard: BruteForceGuard): BruteForceGuard {
    return {
      ...guard,
      async begin(subject, clientIp) {
        const started = await guard.begin(subject, clientIp)
        if ('refused' in started) count([started.refused])
        return started
      },
      async failed(attempt) {
        const block = await guard.failed(attempt)
        if (block) count([block.outcome])
        return block
      },
    }
  }

  return {
    store: store.kind,
    /** The store's own PostgreSQL pool (the postgres store only). */
    pool: store.pool ?? null,
    /** Asks Redis whether it answers (the Redis store only). */
    ping: store.ping ?? null,
    refusals,

    /** The HTTP layer's limits: this process first (no round trip), then the client's address. */
    async request(clientIp: string): Promise<Outcome[]> {
      const g = judge(globalPolicy, await take(global, 'all'))
      if (g.limited) return count([g])
      return count([g, judge(ipPolicy, await take(ip, clientIp))])
    },

    /**
     * requireTenant's limits: the member and the organization, each with its
     * burst allowance, under the organization's own limits as stored (read
     * with the membership, so an owner's change applies on the next request).
     */
    async tenant(ids: { userId: string; organizationId: string }, overrides: Record<string, unknown>): Promise<Outcome[]> {
      const limits = effectiveLimits(config, overrides)
      const [u, o] = await Promise.all([take(user.sustained.limiter, ids.userId), take(organization.sustained.limiter, ids.organizationId)])
      return count(
        await Promise.all([
          takeBursty(user, ids.userId, limits.userRequests, limits.userBurst, u),
          takeBursty(organization, ids.organizationId, limits.organizationRequests, limits.organizationBurst, o),
        ]),
      )
    },

    /** One point of an endpoint's hourly allowance: the organization's or the user's (see endpointSubject). */
    async endpoint(subjectId: string, endpoint: Endpoint): Promise<Outcome> {
      const e = endpoints[endpoint]
      const [outcome] = count([judge(e.policy, await take(e.limiter, subjectId))])
      return outcome!
    },

    /** One account email to `address` (normalized): its hourly allowance. Addresses reach the store hashed. */
    async mail(address: string): Promise<Outcome> {
      const [outcome] = count([judge(mailPolicy, await take(mail, createHash('sha256').update(address).digest('base64url')))])
      return outcome!
    },

    /** The seed's getStatus(org, endpoint): every policy that applies to this member, unspent. */
    async status(ids: { userId: string; organizationId: string }, stored: unknown): Promise<Outcome[]> {
      const limits = effectiveLimits(config, stored)
      return Promise.all([
        peek(user.sustained.limiter, user.sustained.policy, ids.userId, limits.userRequests),
        peek(user.burst.limiter, user.burst.policy, ids.userId, limits.userBurst),
        peek(organization.sustained.limiter, organization.sustained.policy, ids.organizationId, limits.organizationRequests),
        peek(organization.burst.limiter, organization.burst.policy, ids.organizationId, limits.organizationBurst),
        ...ENDPOINTS.map((e) => {
          const subjectId = endpointSubject(e) === 'user' ? ids.userId : ids.organizationId
          return peek(endpoints[e].limiter, endpoints[e].policy, subjectId, endpoints[e].policy.quota)
        }),
      ])
    },

    signIn: counted(
      createBruteForceGuard(limiter, {
        name: 'sign-in',
        counters: 'signin',
        free: config.RATE_LIMIT_SIGNIN_FAILURES,
        lockSeconds: config.RATE_LIMIT_SIGNIN_LOCK_SECONDS,
        maxLockSeconds: config.RATE_LIMIT_SIGNIN_MAX_LOCK_SECONDS,
        ipPerDay: config.RATE_LIMIT_SIGNIN_IP_PER_DAY,
        subjectPerHour: config.RATE_LIMIT_SIGNIN_ACCOUNT_PER_HOUR,
      }),
    ),
    /** Invitation links name no account: consecutive failures and the daily count are per IP. */
    invitationLinks: counted(
      createBruteForceGuard(limiter, {
        name: 'invitation',
        counters: 'invitation',
        free: config.RATE_LIMIT_INVITATION_FAILURES,
        lockSeconds: config.RATE_LIMIT_SIGNIN_LOCK_SECONDS,
        maxLockSeconds: config.RATE_LIMIT_SIGNIN_MAX_LOCK_SECONDS,
        ipPerDay: config.RATE_LIMIT_INVITATION_IP_PER_DAY,
      }),
    ),
    /** The security monitor's temporary block of IPs that keep sending attacks. */
    securityBlock: createSecurityBlock(config, limiter),

    ready: () => store.ready(),
    close: () => store.close(),
  }
}
