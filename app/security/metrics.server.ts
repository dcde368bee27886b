import { SEVERITIES, THREAT_TYPES, type Severity, type ThreatType } from './types'

/**
 * The security monitor's counters, for the metrics endpoint: findings by type
 * and severity, and requests inspected and blocked. One set per process,
 * made by the HTTP layer, which counts into it and hands it to loaders and
 * actions on the load context (brute-force lockouts count there).
 */
export interface SecurityCounters {
  /** A finding; those of the rules operators are alerted on (ALERTED_RULES) are counted by rule too. */
  countFinding(type: ThreatType, severity: Severity, ruleId?: string): void
  countRequest(outcome: { blocked: boolean }): void
  snapshot(): SecuritySnapshot
}

export interface SecuritySnapshot {
  requestsInspected: number
  requestsBlocked: number
  /** Every type × severity, zeros included, so that a scraper sees stable series. */
  findings: { type: ThreatType; severity: Severity; count: number }[]
  /** Every alerted rule, zeros included. */
  rules: { rule: string; count: number }[]
}

/** Rules counted one by one, for the alerts on them (ops/prometheus/alerts.yml): a bounded set. */
export const ALERTED_RULES = ['permission-denials', 'probe-burst', 'ip-blocked'] as const

declare module '@remix-run/server-runtime' {
  interface AppLoadContext {
    securityCounters: SecurityCounters
  }
}

const key = (type: ThreatType, severity: Severity) => `${type}:${severity}`

export function createSecurityCounters(): SecurityCounters {
  const findings = new Map<string, number>()
  const rules = new Map<string, number>(ALERTED_RULES.map((rule) => [rule, 0]))
  let inspected = 0
  let blocked = 0
  return {
    countFinding(type, severity, ruleId) {
      findings.set(key(type, severity), (findings.get(key(type, severity)) ?? 0) + 1)
      if (ruleId !== undefined && rules.has(ruleId)) rules.set(ruleId, rules.get(ruleId)! + 1)
    },
    countRequest(outcome) {
      inspected++
      if (outcome.blocked) blocked++
    },
    snapshot: () => ({
      requestsInspected: inspected,
      requestsBlocked: blocked,
      findings: THREAT_TYPES.flatMap((type) => SEVERITIES.map((severity) => ({ type, severity, count: findings.get(key(type, severity)) ?? 0 }))),
      rules: [...rules].map(([rule, count]) => ({ rule, count })),
    }),
  }
}
