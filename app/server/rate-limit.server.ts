/**
 * The HTTP layer's limits (global, then per IP), checked before any route or
 * database work, and the RateLimit headers of every response that met a limit.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { isApiPath } from '~/lib/paths'
import type { RateLimits } from '~/rate-limit/limits.server'
import { rateLimitHeaders, refusalMessage, tightest, type Outcome } from '~/rate-limit/policies'
import { rateLimitDetails } from '~/rate-limit/responses.server'
import { sendRefusal } from './refusals.server'

function setHeaders(res: Response, outcome: Outcome) {
  for (const [name, value] of Object.entries(rateLimitHeaders(outcome))) res.setHeader(name, value)
}

/**
 * Just before the status line goes out: a 429 names the limit that refused
 * it; a successful API response shows the policy closest to running out.
 */
function describeLimitsOnResponse(req: Request, res: Response, outcomes: Outcome[]) {
  const writeHead = res.writeHead
  res.writeHead = function (this: Response, ...args: Parameters<Response['writeHead']>) {
    const status = typeof args[0] === 'number' ? args[0] : res.statusCode
    const refusal = outcomes.find((o) => o.limited)
    if (status === 429 && refusal) setHeaders(res, refusal)
    else if (status < 400 && isApiPath(req.path)) {
      const tight = tightest(outcomes)
      if (tight) setHeaders(res, tight)
    }
    return writeHead.apply(this, args)
  } as Response['writeHead']
}

export function limitRequests(limits: RateLimits | null): RequestHandler {
  if (!limits) return (_req, _res, next) => next()
  return (req: Request, res: Response, next: NextFunction) => {
    const context = res.locals.context
    const decide = (decided: Outcome[]) => {
      context.limitOutcomes.push(...decided)
      const refusal = decided.find((o) => o.limited)
      if (!refusal) {
        describeLimitsOnResponse(req, res, context.limitOutcomes)
        return next()
      }
      if (refusal.firstRefusal) req.log.warn({ policy: refusal.policy.name, ip: context.ip }, 'rate limit reached')
      sendRefusal(req, res, 'RATE_LIMITED', refusalMessage(refusal), { details: rateLimitDetails(refusal), headers: rateLimitHeaders(refusal) })
    }
    limits.request(context.ip).then(decide).catch(next)
  }
}
