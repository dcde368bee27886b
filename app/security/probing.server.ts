import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible'
import type { Finding } from './types'

/**
 * Suspicious activity seen in responses rather than requests: one client IP
 * collecting 404s and 403s on tenant routes (walking ids it cannot see), or
 * collecting permission denials (the seed's "multiple permission denials from
 * the same IP" alert). Counted per process in fixed windows; a finding is
 * produced when a window reaches its threshold and again at every further
 * multiple of it, so that a flood costs one event write per threshold.
 */
export interface ProbeThresholds {
  /** 404/403 responses on /orgs/… and /api/organizations/… per IP per window. */
  probes: number
  probeWindowSeconds: number
  /** 403 responses per IP per window. */
  denials: number
  denialWindowSeconds: number
}

export const DEFAULT_PROBE_THRESHOLDS: ProbeThresholds = {
  probes: 20,
  probeWindowSeconds: 60,
  denials: 10,
  denialWindowSeconds: 300,
}

const TENANT_PATH = /^\/(?:orgs|api\/organizations)\//

/** The only statuses the watch counts: everything else is answered without any work. */
export function isWatchedStatus(status: number): boolean {
  return status === 404 || status === 403
}

export interface ObservedResponse {
  ip: string
  method: string
  path: string
  status: number
}

function finding(ruleId: string, severity: Finding['severity'], sample: string): Finding {
  return { ruleId, type: 'SUSPICIOUS_ACTIVITY', severity, location: 'request', field: null, inName: false, sample, blockable: false }
}

async function reached(limiter: RateLimiterMemory, key: string, threshold: number): Promise<number | null> {
  try {
    const result = await limiter.consume(key)
    return result.consumedPoints % threshold === 0 ? result.consumedPoints : null
  } catch (error) {
    // Over the limiter's points: keep counting in multiples of the threshold.
    if (error instanceof RateLimiterRes) return error.consumedPoints % threshold === 0 ? error.consumedPoints : null
    throw error
  }
}

export function createProbeWatch(thresholds: ProbeThresholds = DEFAULT_PROBE_THRESHOLDS) {
  const probes = new RateLimiterMemory({ keyPrefix: 'probe', points: thresholds.probes, duration: thresholds.probeWindowSeconds })
  const denials = new RateLimiterMemory({ keyPrefix: 'denial', points: thresholds.denials, duration: thresholds.denialWindowSeconds })

  /** The findings this response completes, if any. */
  return async function observe(response: ObservedResponse): Promise<Finding[]> {
    const findings: Finding[] = []
    const last = `last: ${response.status} ${response.method} ${response.path}`.slice(0, 160)
    if (isWatchedStatus(response.status) && TENANT_PATH.test(response.path)) {
      const count = await reached(probes, response.ip, thresholds.probes)
      if (count)
        findings.push(
          finding(
            'probe-burst',
            'MEDIUM',
            `${count} not-found or forbidden responses on tenant routes within ${thresholds.probeWindowSeconds}s; ${last}`,
          ),
        )
    }
    if (response.status === 403) {
      const count = await reached(denials, response.ip, thresholds.denials)
      if (count)
        findings.push(finding('permission-denials', 'HIGH', `${count} permission denials within ${thresholds.denialWindowSeconds}s; ${last}`))
    }
    return findings
  }
}
