/**
 * What one app process holds for all its requests, made once at start-up and
 * handed to the HTTP layer, which passes it down on each request's load
 * context. Loaders and actions never build their own: the Remix build carries
 * its own copy of every module, so a module-level singleton there would be a
 * second set of limiters and counters.
 */
import type { Logger } from 'pino'
import { sessionPoolProbe } from '~/auth/session.server'
import type { Config } from '~/lib/config.server'
import { createSecurityAlerts, type SecurityAlertMailer } from '~/mail/security-alerts.server'
import { appPoolProbe } from '~/models/db.server'
import { createRateLimits, type RateLimits } from '~/rate-limit/limits.server'
import { createSecurityCounters, type SecurityCounters } from '~/security/metrics.server'
import { createErrorReports, type ErrorReports } from './error-reports.server'
import { createLiveUpdates, type LiveUpdates } from './live-updates.server'
import { createMetrics, type Metrics } from './metrics.server'

export interface Services {
  /** null when RATE_LIMIT_ENABLED=false. */
  rateLimits: RateLimits | null
  securityCounters: SecurityCounters
  /** Prometheus metrics over the two above and the database pools, and of every request and audit row. */
  metrics: Metrics
  /** Unexpected errors to Sentry; null without SENTRY_DSN. */
  errors: ErrorReports | null
  /** Mails operators about HIGH and CRITICAL security events and lockouts; null without SECURITY_ALERT_EMAILS. */
  securityAlerts: SecurityAlertMailer | null
  /** Server-sent events per organization over one change listener; null when REALTIME_ENABLED=false. Its ready() belongs in /readyz. */
  liveUpdates: LiveUpdates | null
}

/** `rateLimits` given: limiters of the caller's own (a test playing a second process); null = none. */
export function createServices(config: Config, logger: Logger, options: { rateLimits?: RateLimits | null } = {}): Services {
  const rateLimits =
    options.rateLimits !== undefined
      ? options.rateLimits
      : config.RATE_LIMIT_ENABLED
        ? createRateLimits(config, logger.child({ module: 'rate-limit' }))
        : null
  const securityCounters = createSecurityCounters()
  const pools = { app: appPoolProbe(), sessions: sessionPoolProbe(), ...(rateLimits?.pool ? { rate_limit: rateLimits.pool } : {}) }
  const metrics = createMetrics(rateLimits, securityCounters, pools)
  return {
    rateLimits,
    securityCounters,
    metrics,
    liveUpdates: config.REALTIME_ENABLED ? createLiveUpdates(config, logger.child({ module: 'live-updates' }), metrics.registry) : null,
    errors: createErrorReports(config),
    securityAlerts: createSecurityAlerts(config, rateLimits, logger.child({ module: 'security-alerts' })),
  }
}

export async function closeServices(services: Services) {
  // Open streams end first, with a last event telling clients to reconnect elsewhere.
  await services.liveUpdates?.close()
  // Queued alerts go out while the mail limit can still be asked.
  await services.securityAlerts?.close()
  await Promise.all([services.rateLimits?.close(), services.errors?.close()])
}
