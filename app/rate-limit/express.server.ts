/**
 * The HTTP layer's limits (global, then per IP), checked before any route or
 * database work, and the RateLimit headers of every response that met a limit.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import type { RateLimits } from './limits.server'
import { rateLimitHeaders, tightest, type Outcome } from './policies'
import { trackOutcomes } from './request-outcomes'
import { isApiPath, rateLimitedEnvelope, tooManyRequestsPage } from './responses.server'

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
    const outcomes = trackOutcomes(context)
    const decide = (decided: Outcome[]) => {
      outcomes.push(...decided)
      const refusal = decided.find((o) => o.limited)
      if (!refusal) {
        describeLimitsOnResponse(req, res, outcomes)
        return next()
      }
      if (refusal.firstRefusal) req.log.warn({ policy: refusal.policy.name, ip: context.ip }, 'rate limit reached')
      setHeaders(res, refusal)
      res.status(429).setHeader('Cache-Control', 'no-store')
      if (isApiPath(req.path)) res.json(rateLimitedEnvelope(refusal, context.traceId))
      else res.type('html').send(tooManyRequestsPage(refusal, context.traceId))
    }
    limits.request(context.ip).then(decide).catch(next)
  }
}
