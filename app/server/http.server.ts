/**
 * The HTTP layer in front of Remix: request context (traceId, client IP,
 * logger), the cross-origin guard and static files. It never touches the
 * database; Remix routes and models do.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { randomBytes, randomUUID } from 'node:crypto'
import { subscribe } from 'node:diagnostics_channel'
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import type { AppLoadContext, ServerBuild } from '@remix-run/node'
import express, { type NextFunction, type Request, type Response } from 'express'
import helmet from 'helmet'
import type { Logger } from 'pino'
import { pinoHttp } from 'pino-http'
import type { Config } from '~/lib/config.server'
import { redactUrl } from '~/lib/paths'
import '~/lib/request-context'
import { SQL_CHANNEL, type StatementEvent } from '~/models/db.server'
import { RequestTransaction } from '~/models/request-transaction.server'
import { CLIENT_BUILD_DIR } from './build-output.server'
import { clientIpResolver, expressTrustProxy } from './client-ip.server'
import { offeredDemoAccounts, type DemoAccounts } from './demo-accounts.server'
import type { Lifecycle } from './lifecycle.server'
import { observeRequests } from './metrics.server'
import { limitRequests } from './rate-limit.server'
import { sendRefusal } from './refusals.server'
import { routeByRegion } from './regions.server'
import { remixHandler } from './remix.server'
import { securityMonitor } from './security-monitor.server'
import type { Services } from './services.server'

const TRACE_ID = /^[\w.:-]{1,128}$/
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

declare module 'express-serve-static-core' {
  interface Locals {
    context: AppLoadContext
  }
}

function requestContext(logger: Logger, services: Services, demoAccounts: DemoAccounts | null, clientIp: (req: Request) => string) {
  const http = pinoHttp({
    logger,
    genReqId: (req, res) => {
      const incoming = req.headers['x-request-id']
      const traceId = typeof incoming === 'string' && TRACE_ID.test(incoming) ? incoming : randomUUID()
      res.setHeader('x-request-id', traceId)
      return traceId
    },
    customProps: (req) => ({ traceId: req.id, ip: clientIp(req as Request) }),
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    // Mailed links carry secrets in their path (and in a redirectTo): the log shows them redacted.
    serializers: { req: (req) => ({ method: req.method, url: redactUrl(req.url) }), res: (res) => ({ statusCode: res.statusCode }) },
  })
  return (req: Request, res: Response, next: NextFunction) => {
    http(req, res)
    const traceId = String(req.id)
    const identity = {}
    res.locals.context = {
      traceId,
      ip: clientIp(req),
      logger: req.log,
      cspNonce: randomBytes(16).toString('base64'),
      appendSetCookie: (value) => res.append('Set-Cookie', value),
      memo: new Map(),
      identity,
      audits: services.metrics.audited,
      reportError: (error) => services.errors?.report(error, { traceId, ...identity, method: req.method, path: req.path }),
      rateLimits: services.rateLimits,
      limitOutcomes: [],
      securityCounters: services.securityCounters,
      securityAlerts: services.securityAlerts,
      database: new RequestTransaction(req.log),
      demoAccounts,
    }
    next()
  }
}

/**
 * The query log (LOG_LEVEL=debug): each statement the models run, on the
 * logger of the request that ran it, found through this app's own
 * AsyncLocalStorage (models/db.server.ts publishes statements on a channel).
 * At info and above nothing subscribes, and the pool publishes nothing.
 */
function statementLog(logger: Logger) {
  if (!logger.isLevelEnabled('debug')) return (_req: Request, _res: Response, next: NextFunction) => next()
  const requests = new AsyncLocalStorage<Logger>()
  subscribe(SQL_CHANNEL, (event) => requests.getStore()?.debug({ sql: event as StatementEvent }, 'sql statement'))
  return (req: Request, _res: Response, next: NextFunction) => requests.run(req.log, next)
}

/** Browser features the app never uses, refused to every page and frame. */
const PERMISSIONS_POLICY = 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()'

/**
 * Security headers on every response. Scripts run only with this response's
 * nonce (and what they load: 'strict-dynamic'); HSTS is sent in production,
 * where the app is served over HTTPS.
 */
function securityHeaders(config: Config) {
  const production = config.NODE_ENV === 'production'
  const headers = helmet({
    contentSecurityPolicy: {
      directives: {
        scriptSrc: [(_req, res) => `'nonce-${(res as Response).locals.context.cspNonce}'`, "'strict-dynamic'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: production ? [] : null,
      },
    },
    strictTransportSecurity: production ? { maxAge: 365 * 24 * 60 * 60, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    xFrameOptions: { action: 'deny' },
  })
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Permissions-Policy', PERMISSIONS_POLICY)
    headers(req, res, next)
  }
}

/**
 * Lucia's CSRF rule: a state-changing request whose Origin names another host
 * is refused. Requests without Origin pass only when they carry no cookie
 * (API clients with a bearer token), since a browser always sends Origin on
 * cross-site POSTs.
 */
function rejectCrossOrigin(req: Request, res: Response, next: NextFunction) {
  if (SAFE_METHODS.has(req.method)) return next()
  const origin = req.headers.origin
  const host = req.headers.host
  let sameOrigin = false
  if (origin) {
    try {
      sameOrigin = new URL(origin).host === host
    } catch {
      sameOrigin = false
    }
  } else {
    sameOrigin = !req.headers.cookie
  }
  if (sameOrigin) return next()
  req.log.warn({ origin, host }, 'cross-origin request refused')
  sendRefusal(req, res, 'CROSS_ORIGIN', 'Cross-origin request refused')
}

function limitBodySize(maxBytes: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    const length = Number(req.headers['content-length'] ?? 0)
    if (length > maxBytes) return sendRefusal(req, res, 'PAYLOAD_TOO_LARGE', `Request body is larger than ${maxBytes} bytes`)
    next()
  }
}

/**
 * Files under `dir`, looked up only for paths under its own top-level entries
 * (read at start-up), so that pages and API calls skip the file-system
 * lookup. The build's fingerprinted assets (assets/) are cached for good.
 */
function publicFiles(dir: string) {
  const entries = new Set(existsSync(dir) ? readdirSync(dir) : [])
  const files = express.Router()
  files.use('/assets', express.static(path.join(dir, 'assets'), { immutable: true, maxAge: '1y' }))
  files.use(express.static(dir, { maxAge: '1h' }))
  return (req: Request, res: Response, next: NextFunction) => {
    if (entries.has(req.path.split('/', 2)[1] ?? '')) return files(req, res, next)
    next()
  }
}

/**
 * `/healthz` is liveness: the process answers, nothing else is asked (a
 * database outage must not get every machine restarted). `/readyz` is
 * readiness: every registered check (the database, Redis when configured,
 * what other modules add), 503 naming the failing ones.
 */
function probes(lifecycle: Lifecycle) {
  const router = express.Router()
  router.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store')
    res.json({ status: 'alive', timestamp: new Date().toISOString() })
  })
  router.get('/readyz', (_req, res, next) => {
    lifecycle
      .readiness()
      .then(({ ready, checks }) => {
        const failing = Object.keys(checks).filter((name) => checks[name]!.status !== 'ok')
        res.setHeader('Cache-Control', 'no-store')
        res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', failing, checks, timestamp: new Date().toISOString() })
      })
      .catch(next)
  })
  return router
}

export function createHttpApp(options: {
  build: ServerBuild
  config: Config
  logger: Logger
  /** The process's limiters, counters and metrics (server/services.server.ts), handed to every request. */
  services: Services
  /** The demo seed's accounts, offered on the sign-in page in development only. */
  demoAccounts?: DemoAccounts
}) {
  const { services } = options
  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', expressTrustProxy(options.config.TRUST_PROXY))
  app.use(observeRequests(services.metrics))
  // Before the request log, the limits and the security monitor: probes are neither logged, limited nor scanned.
  app.use(probes(services.lifecycle))
  const clientIp = clientIpResolver(options.config.TRUST_PROXY)
  app.use(requestContext(options.logger, services, offeredDemoAccounts(options.config, options.demoAccounts), clientIp))
  app.use(statementLog(options.logger))
  app.use(securityHeaders(options.config))
  app.use(publicFiles(CLIENT_BUILD_DIR))
  // Before anything that counts, reads a body or records: a write in a replica region is replayed untouched.
  app.use(routeByRegion(options.config))
  // Global and per-IP limits: after static files (cheap, cacheable), before any route runs.
  app.use(limitRequests(services.rateLimits))
  app.use(rejectCrossOrigin)
  app.use(limitBodySize(1024 * 1024))
  app.use(securityMonitor(options.config, services.securityCounters, services.rateLimits?.securityBlock ?? null, services.securityAlerts))
  app.all('*', remixHandler(options.build, options.config))
  app.use(unexpectedErrors)
  return app
}

/**
 * Errors that reach express: those of a client (a status below 500, such as
 * a malformed body) go to express's own handler; anything else is logged,
 * reported and answered with a 500 that quotes the traceId.
 */
function unexpectedErrors(error: unknown, req: Request, res: Response, next: NextFunction) {
  const status = (error as { status?: unknown } | null)?.status
  if (typeof status === 'number' && status < 500) return next(error)
  res.locals.context.logger.error({ err: error }, 'unhandled error')
  res.locals.context.reportError(error)
  if (res.headersSent) return next(error)
  sendRefusal(req, res, 'INTERNAL_ERROR', 'Something went wrong on our side. Quote the reference below when you report it.')
}
