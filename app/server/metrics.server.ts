/**
 * Prometheus metrics of this process, served on a listener of their own
 * (METRICS_PORT) so that they are never reachable through the public port:
 *
 *   process_*, nodejs_*                    prom-client's default process metrics
 *   http_request_duration_seconds          every request, by method, route kind and status
 *   rate_limit_refusals_total              429s per policy (the limiters' own counts)
 *   rate_limit_store_info                  where the counters live
 *   security_requests_*_total, security_findings_total, security_rule_findings_total   the security monitor's counters
 *   organizations_/workspaces_/projects_created_total, members_invited_total,
 *   permission_denied_total, audit_rows_total     business counters, from the audit rows written
 *   db_pool_connections, db_pool_waiting_requests, db_pool_max_connections, db_up   each pool
 *   db_replica_lag_seconds                 how far the app's database is behind its primary
 *
 * Labels stay bounded: a route is a kind (api, page, data, asset, health), never a path; a
 * permission is one of the catalog's; no label ever holds an id.
 */
import express, { type NextFunction, type Request, type Response } from 'express'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import { isApiPath } from '~/lib/paths'
import { CATALOG } from '~/lib/permissions'
import type { AuditedEntry } from '~/lib/request-context'
import type { PoolProbe, PoolStats } from '~/models/db.server'
import { replicaLagSeconds } from '~/models/health.server'
import type { RateLimits } from '~/rate-limit/limits.server'
import type { SecurityCounters } from '~/security/metrics.server'

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])

type RouteKind = 'api' | 'health' | 'asset' | 'data' | 'page'

function routeKind(path: string): RouteKind {
  if (isApiPath(path)) return 'api'
  // Remix's client-side navigations and fetchers ask for the routes' data alone (single fetch).
  // …and, with lazy route discovery, for the routes of the links on a page (/__manifest).
  if (path.endsWith('.data') || path === '/__manifest') return 'data'
  if (path === '/healthz' || path === '/readyz') return 'health'
  // Built bundles and the files of public/: anything named like a file.
  if (path.startsWith('/assets/') || /\.[a-z0-9]+$/i.test(path)) return 'asset'
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

/** A scrape waits this long for a database to answer before it reports it down. */
const PROBE_TIMEOUT_MS = 1000

function withinProbeTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer in time')), PROBE_TIMEOUT_MS)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

const PERMISSIONS = new Set<string>([...CATALOG, '*'])

/** Business counters, one per audit action they count (successes only). */
const CREATED = {
  'organization.created': ['organizations_created_total', 'Organizations created'],
  'workspace.created': ['workspaces_created_total', 'Workspaces created (besides each organization’s first)'],
  'project.created': ['projects_created_total', 'Projects created'],
  'invitation.created': ['members_invited_total', 'Invitations sent (resends not counted)'],
} as const

/** Each of the process's database pools, by name, for the pool gauges. */
export type Pools = Record<string, PoolProbe>

/**
 * The process's metrics over the limiters, counters and pools it reads at
 * each scrape: the HTTP layer observes requests into them (observeRequests),
 * each request counts its audit rows (`audited`, on the load context) and the
 * metrics listener serves them (createMetricsApp).
 */
export function createMetrics(rateLimits: RateLimits | null, securityCounters: SecurityCounters, pools: Pools = {}) {
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
  mirror(registry, 'security_rule_findings_total', 'Findings of the rules alerts watch (permission-denials, probe-burst, ip-blocked)', ['rule'], () =>
    securityCounters.snapshot().rules.map(({ rule, count }) => [{ rule }, count]),
  )

  const created = Object.fromEntries(
    Object.entries(CREATED).map(([action, [name, help]]) => [action, new Counter({ name, help, registers: [registry] })]),
  ) as Record<string, Counter>
  const denied = new Counter({
    name: 'permission_denied_total',
    help: 'Requests refused with 403 for lack of a permission, by the permission',
    labelNames: ['permission'] as const,
    registers: [registry],
  })
  const auditRows = new Counter({
    name: 'audit_rows_total',
    help: 'Audit rows written, by result (success, failure, error)',
    labelNames: ['result'] as const,
    registers: [registry],
  })
  /** Counts one audit row; the load context hands this to every request (context.audits). */
  function audited(entry: AuditedEntry) {
    auditRows.inc({ result: entry.result })
    if (entry.result === 'success') created[entry.action]?.inc()
    if (entry.action === 'permission.denied') {
      const permission = String(entry.details?.permission)
      denied.inc({ permission: PERMISSIONS.has(permission) ? permission : 'other' })
    }
  }
  for (const action of Object.keys(CREATED)) created[action]!.inc(0)
  auditRows.inc({ result: 'success' }, 0)

  /** A gauge over every pool's stats, read at each scrape. */
  const poolGauge = <L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    read: (pool: string, stats: PoolStats) => [Record<L, string>, number][],
  ) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset()
        for (const [pool, probe] of Object.entries(pools)) {
          const stats = await probe.stats()
          if (stats) for (const [labels, value] of read(pool, stats)) this.set(labels, value)
        }
      },
    })
  poolGauge('db_pool_connections', 'Connections of each database pool, in use or idle', ['pool', 'state'], (pool, stats) => [
    [{ pool, state: 'in_use' }, stats.inUse],
    [{ pool, state: 'idle' }, stats.idle],
  ])
  poolGauge('db_pool_waiting_requests', 'Queries waiting for a connection of each pool', ['pool'], (pool, stats) => [[{ pool }, stats.waiting]])
  poolGauge('db_pool_max_connections', 'The most connections each pool opens', ['pool'], (pool, stats) => [[{ pool }, stats.max]])
  new Gauge({
    name: 'db_up',
    help: 'Whether each pool’s database answered `select 1` within a second at this scrape (1) or not (0)',
    labelNames: ['pool'] as const,
    registers: [registry],
    async collect() {
      await Promise.all(
        Object.entries(pools).map(async ([pool, probe]) => {
          const up = await withinProbeTimeout(probe.ping()).then(
            () => 1,
            () => 0,
          )
          this.set({ pool }, up)
        }),
      )
    },
  })
  if (pools.app) {
    new Gauge({
      name: 'db_replica_lag_seconds',
      help: 'How far the database the app reads from is behind its primary (0 on the primary)',
      registers: [registry],
      async collect() {
        // Unknown while the database does not answer: no sample rather than a false 0.
        this.reset()
        await withinProbeTimeout(replicaLagSeconds()).then(
          (lag) => this.set(lag),
          () => {},
        )
      },
    })
  }
  return { registry, requests, audited }
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
