/**
 * A process that stops without dropping a request: on SIGTERM (a deploy, a
 * scale-down) or SIGINT, in this order —
 *  1. stop accepting connections (the listening socket closes: a new
 *     connection is refused, so Fly's proxy sends it to another machine);
 *  2. mark the process stopping (/readyz fails) and run the lifecycle's
 *     shutdown hooks, so long-lived streams end politely;
 *  3. let the requests in flight finish, closing keep-alive connections as
 *     they go idle, for at most `timeoutMs` (below fly.toml's kill_timeout);
 *     then close whatever connections are left;
 *  4. close the metrics listener, the services (limiter store, Redis, alert
 *     mailer, Sentry) and the database pools, then `after` (the embedded
 *     PostgreSQL, when npm start runs one).
 */
import type { Server } from 'node:http'
import type { Logger } from 'pino'
import { closeDatabasePools, closeServices, type Services } from './services.server'

function closed(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()))
}

export async function shutdownGracefully(options: {
  server: Server
  metricsServer?: Server
  services: Services
  logger: Logger
  timeoutMs: number
  after?: () => Promise<void> | undefined
}) {
  const { server, services, logger, timeoutMs } = options
  const deadline = Date.now() + timeoutMs
  const drained = closed(server)
  await services.lifecycle.beginShutdown(timeoutMs)

  const idleSweep = setInterval(() => server.closeIdleConnections(), 100)
  let timer: NodeJS.Timeout | undefined
  const inTime = await Promise.race([
    drained.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now())))),
  ])
  clearInterval(idleSweep)
  clearTimeout(timer)
  if (!inTime) {
    logger.warn({ timeoutMs }, 'requests still in flight at SHUTDOWN_TIMEOUT_MS: closing their connections')
    server.closeAllConnections()
    await drained
  }

  if (options.metricsServer) await closed(options.metricsServer)
  await closeServices(services)
  await closeDatabasePools()
  await options.after?.()
  logger.info('stopped')
}
