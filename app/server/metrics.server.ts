/**
 * Prometheus metrics of this process, served on a listener of their own
 * (METRICS_PORT) so that they are never reachable through the public port:
 *
 *   process_*, nodejs_*                    prom-client's default process metrics
 *   http_request_duration_seconds          every request, by method, route kind and status
 *   rate_limit_refusals_total              429s per policy (the limiters' own counts)
 *   rate_limit_store_info                  where the counters live
 *   security_requests_*_total, security_findings_total   the security monitor's counters
 *
 * Labels stay bounded: a route is a kind (api, page, data, asset, health), never a path.
 */
import express, { type NextFunction, type Request, type Response } from 'express'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import { isApiPath } from '~/lib/paths'
import type { RateLimits } from '~/rate-limit/limits.server'
import type { SecurityCounters } from '~/security/metrics.server'

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])

type RouteKind = 'api' | 'health' | 'asset' | 'data' | 'page'

function routeKind(path: string): RouteKind {
  if (isApiPath(path)) return 'api'
  // Remix's client-side navigations and fetchers ask for the routes' data alone (single fetch).
  if (path.endsWith('.data')) return 'data'
  if (path === '/healthz') return 'health'
  // Built bundles and the files of public/: anything named like a file.
  if (path.startsWith('/build/') || /\.[a-z0-9]+$/i.test(path)) return 'asset'
  return 'page'
}

/** A counter that mirrors counts kept elsewhere, read at each scrape. */
function mirror<L extends string>(registry: Registry, name: string, help: string, labelNames: L[], read: () => [Record<L, string>, number][]) {
  return new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset()
      for (const [labels, value] of read()) this.inc(labels, value)
    },
  })
}

/**
 * The process's metrics over the limiters and counters it reads at each
 * scrape: the HTTP layer observes requests into them (observeRequests) and
 * the metrics listener serves them (createMetricsApp).
 */
export function createMetrics(rateLimits: RateLimits | null, securityCounters: SecurityCounters) {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const requests = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route kind and status, and how long they took',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  })
  mirror(registry, 'rate_limit_refusals_total', 'Requests refused with 429, per rate-limit policy', ['policy'], () =>
    [...(rateLimits?.refusals ?? [])].map(([policy, count]) => [{ policy }, count]),
  )
  new Gauge({
    name: 'rate_limit_store_info',
    help: 'Where the rate-limit counters live (memory, redis, postgres; disabled when rate limiting is off)',
    labelNames: ['store'] as const,
    registers: [registry],
    collect() {
      this.reset()
      this.set({ store: rateLimits?.store ?? 'disabled' }, 1)
    },
  })
  mirror(registry, 'security_requests_inspected_total', 'Requests the security monitor inspected', [], () => [
    [{}, securityCounters.snapshot().requestsInspected],
  ])
  mirror(registry, 'security_requests_blocked_total', 'Requests the security monitor refused', [], () => [
    [{}, securityCounters.snapshot().requestsBlocked],
  ])
  mirror(registry, 'security_findings_total', 'Security findings by threat type and severity', ['type', 'severity'], () =>
    securityCounters.snapshot().findings.map(({ type, severity, count }) => [{ type, severity }, count]),
  )
  return { registry, requests }
}

export type Metrics = ReturnType<typeof createMetrics>

/** The HTTP layer's first middleware: times every response, static files and refusals included. */
export function observeRequests({ requests }: Metrics) {
  return (req: Request, res: Response, next: NextFunction) => {
    const stop = requests.startTimer({ method: METHODS.has(req.method) ? req.method : 'OTHER', route: routeKind(req.path) })
    res.once('finish', () => stop({ status: String(res.statusCode) }))
    next()
  }
}

/** The metrics listener's app: GET /metrics in the Prometheus text format, nothing else. */
export function createMetricsApp({ registry }: Metrics) {
  const app = express()
  app.disable('x-powered-by')
  app.get('/metrics', (_req, res, next) => {
    registry
      .metrics()
      // Written as is: express's send() would reorder the content type's parameters.
      .then((text) => res.setHeader('Content-Type', registry.contentType).end(text))
      .catch(next)
  })
  return app
}
