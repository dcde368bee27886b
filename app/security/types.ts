/** The vocabulary of the security monitor, shared by detectors, recorder and pages. */

export const THREAT_TYPES = ['SQL_INJECTION', 'XSS_ATTEMPT', 'PATH_TRAVERSAL', 'COMMAND_INJECTION', 'BRUTE_FORCE', 'SUSPICIOUS_ACTIVITY'] as const
export type ThreatType = (typeof THREAT_TYPES)[number]

export const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const
export type Severity = (typeof SEVERITIES)[number]

/** Where in the request a value came from. */
export const LOCATIONS = ['path', 'query', 'body', 'cookie', 'header', 'request'] as const
export type Location = (typeof LOCATIONS)[number]

/** HIGH and CRITICAL findings are blocked; LOW and MEDIUM are recorded only. */
export function isBlocking(severity: Severity): boolean {
  return severity === 'HIGH' || severity === 'CRITICAL'
}

export interface Finding {
  ruleId: string
  type: ThreatType
  severity: Severity
  location: Location
  /** Parameter, header, cookie or JSON key the value came from; null for the path. */
  field: string | null
  /** True when the finding is in a parameter name rather than its value. */
  inName: boolean
  /** A short excerpt of the value around the match, for the event log. */
  sample: string
  /** False for fields declared as rich text or code: recorded, never blocked. */
  blockable: boolean
}

/**
 * One detection rule (app/security/rules/). Every pattern must stay linear-time
 * on any input — see rules.server.ts.
 */
export interface Rule {
  id: string
  type: ThreatType
  severity: Severity
  description: string
  pattern: RegExp
  /** Only these locations (default: every value, name and the path). */
  locations?: readonly Location[]
  /** Handwritten inputs the rule must flag, and look-alikes it must leave alone. */
  examples: { attack: readonly string[]; benign: readonly string[] }
}
