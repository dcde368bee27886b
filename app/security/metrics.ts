import { SEVERITIES, THREAT_TYPES, type Severity, type ThreatType } from './types'

/**
 * In-process counters of the security monitor, for the metrics endpoint:
 * findings by type and severity, and requests inspected and blocked. They
 * live on globalThis because the HTTP layer (which counts) and the Remix build
 * (where a metrics route would read) each carry their own copy of this module.
 */
interface Counts {
  findings: Map<string, number>
  inspected: number
  blocked: number
}
const KEY = Symbol.for('nextsaas.securityCounters')
const counts = ((globalThis as Record<symbol, unknown>)[KEY] ??= { findings: new Map(), inspected: 0, blocked: 0 }) as Counts

const key = (type: ThreatType, severity: Severity) => `${type}:${severity}`

export function countFinding(type: ThreatType, severity: Severity): void {
  counts.findings.set(key(type, severity), (counts.findings.get(key(type, severity)) ?? 0) + 1)
}

export function countRequest(outcome: { blocked: boolean }): void {
  counts.inspected++
  if (outcome.blocked) counts.blocked++
}

export interface SecurityCounters {
  requestsInspected: number
  requestsBlocked: number
  /** Every type × severity, zeros included, so that a scraper sees stable series. */
  findings: { type: ThreatType; severity: Severity; count: number }[]
}

export function securityCounters(): SecurityCounters {
  return {
    requestsInspected: counts.inspected,
    requestsBlocked: counts.blocked,
    findings: THREAT_TYPES.flatMap((type) =>
      SEVERITIES.map((severity) => ({ type, severity, count: counts.findings.get(key(type, severity)) ?? 0 })),
    ),
  }
}
