import { SEVERITIES, THREAT_TYPES, type Severity, type ThreatType } from './types'

/**
 * The security monitor's counters, for the metrics endpoint: findings by type
 * and severity, and requests inspected and blocked. One set per process,
 * made by the HTTP layer, which counts into it and hands it to loaders and
 * actions on the load context (brute-force lockouts count there).
 */
export interface SecurityCounters {
  countFinding(type: ThreatType, severity: Severity): void
  countRequest(outcome: { blocked: boolean }): void
  snapshot(): SecuritySnapshot
}

export interface SecuritySnapshot {
  requestsInspected: number
  requestsBlocked: number
  /** Every type × severity, zeros included, so that a scraper sees stable series. */
  findings: { type: ThreatType; severity: Severity; count: number }[]
}

declare module '@remix-run/server-runtime' {
  interface AppLoadContext {
    securityCounters: SecurityCounters
  }
}

const key = (type: ThreatType, severity: Severity) => `${type}:${severity}`

export function createSecurityCounters(): SecurityCounters {
  const findings = new Map<string, number>()
  let inspected = 0
  let blocked = 0
  return {
    countFinding(type, severity) {
      findings.set(key(type, severity), (findings.get(key(type, severity)) ?? 0) + 1)
    },
    countRequest(outcome) {
      inspected++
      if (outcome.blocked) blocked++
    },
    snapshot: () => ({
      requestsInspected: inspected,
      requestsBlocked: blocked,
      findings: THREAT_TYPES.flatMap((type) => SEVERITIES.map((severity) => ({ type, severity, count: findings.get(key(type, severity)) ?? 0 }))),
    }),
  }
}
