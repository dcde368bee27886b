/** Spending a point and judging the result against a policy's quota. */
import { RateLimiterRes, type RateLimiterAbstract, type RateLimiterStoreAbstract } from 'rate-limiter-flexible'
import { toSeconds, type Outcome, type Policy } from './policies'

export type Limiter = RateLimiterAbstract | RateLimiterStoreAbstract

export interface Taken {
  consumed: number
  resetMs: number
  /** Refused by the library itself (over its points, or blocked in memory). */
  refused: boolean
}

/** One point from `key`; a refusal by the library is a result here, not an error. */
export async function take(limiter: Limiter, key: string, options?: { customDuration: number }): Promise<Taken> {
  try {
    const res = await limiter.consume(key, 1, options)
    return { consumed: res.consumedPoints, resetMs: res.msBeforeNext, refused: false }
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error
    return { consumed: error.consumedPoints, resetMs: error.msBeforeNext, refused: true }
  }
}

export function judge(policy: Policy, taken: Taken, quota = policy.quota): Outcome {
  const limited = taken.refused || taken.consumed > quota
  return {
    policy: { ...policy, quota },
    remaining: Math.max(quota - taken.consumed, 0),
    resetSeconds: toSeconds(taken.resetMs),
    limited,
    firstRefusal: limited && taken.consumed === quota + 1,
  }
}
