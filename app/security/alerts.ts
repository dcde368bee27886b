import type { Severity, ThreatType } from './types'

/**
 * A security event operators are told about (SECURITY_ALERT_EMAILS): a HIGH or
 * CRITICAL finding of the monitor, or a brute-force lockout. The mail layer
 * gathers and sends them (mail/security-alerts.server.ts); the HTTP layer and
 * the lockouts hand them over on the load context.
 */
export interface SecurityAlert {
  at: Date
  type: ThreatType
  severity: Severity
  rule: string
  ip: string
  /** `METHOD /path` of the request. */
  endpoint: string
  traceId: string
  sample: string
  blocked: boolean
}

export interface SecurityAlerts {
  notify(alerts: readonly SecurityAlert[]): void
}

declare module '@remix-run/server-runtime' {
  interface AppLoadContext {
    /** null when SECURITY_ALERT_EMAILS is empty. */
    securityAlerts: SecurityAlerts | null
  }
}
