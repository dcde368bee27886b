/**
 * What one app process holds for all its requests, made once at start-up and
 * handed to the HTTP layer, which passes it down on each request's load
 * context. Loaders and actions never build their own: the Remix build carries
 * its own copy of every module, so a module-level singleton there would be a
 * second set of limiters and counters.
 */
import type { Logger } from 'pino'
import { closeSessionPool, sessionPoolProbe } from '~/auth/session.server'
import { inReplicaRegion, type Config } from '~/lib/config.server'
import { createSecurityAlerts, type SecurityAlertMailer } from '~/mail/security-alerts.server'
import { appPoolProbe, closePool } from '~/models/db.server'
import { replicaCaughtUp } from '~/models/health.server'
import { createRateLimits, type RateLimits } from '~/rate-limit/limits.server'
import { createSecurityCounters, type SecurityCounters } from '~/security/metrics.server'
import { createErrorReports, type ErrorReports } from './error-reports.server'
import { Lifecycle } from './lifecycle.server'
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
  /** Readiness checks and shutdown hooks that modules register (server/lifecycle.server.ts). */
  lifecycle: Lifecycle
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
  const lifecycle = new Lifecycle(logger.child({ module: 'lifecycle' }))
  lifecycle.addReadinessCheck('database', pools.app.ping)
  if (rateLimits?.ping) lifecycle.addReadinessCheck('redis', rateLimits.ping)
  if (inReplicaRegion(config)) lifecycle.addReadinessCheck('replica_lag', () => replicaCaughtUp(config.REPLICA_MAX_LAG_SECONDS))
  return {
    lifecycle,
    rateLimits,
    securityCounters,
    metrics: createMetrics(rateLimits, securityCounters, pools),
    errors: createErrorReports(config),
    securityAlerts: createSecurityAlerts(config, rateLimits, logger.child({ module: 'security-alerts' })),
  }
}

/**
 * Closes what createServices opened: the shutdown hooks run first (if the
 * process's shutdown has not run them), then the alert mailer, the limiters'
 * store (its pool or Redis) and the error reports.
 */
export async function closeServices(services: Services) {
  await services.lifecycle.beginShutdown()
  // Queued alerts go out while the mail limit can still be asked.
  await services.securityAlerts?.close()
  await Promise.all([services.rateLimits?.close(), services.errors?.close()])
}

/**
 * The process's database pools (the app's and Lucia's), shared by every app
 * in the process: closed last, once. A pool that never connected (its
 * database was down) rejects here, with nothing left to close.
 */
export async function closeDatabasePools() {
  await Promise.allSettled([closePool(), closeSessionPool()])
}
