/** The 429 a loader or action throws: the same refusal on both doors (lib/errors). */
import { refusal } from '~/lib/errors'
import { rateLimitHeaders, refusalMessage, type Outcome } from './policies'

export const rateLimitDetails = (outcome: Outcome) => ({ policy: outcome.policy.name, retryAfterSeconds: Math.max(1, outcome.resetSeconds) })

export function rateLimited(outcome: Outcome): Response {
  return refusal('RATE_LIMITED', refusalMessage(outcome), { details: rateLimitDetails(outcome), headers: rateLimitHeaders(outcome) })
}
