/**
 * The app for end-to-end tests: a fresh, migrated, throwaway database (on
 * DATABASE_URL's server, or an embedded PostgreSQL in a temp folder) and the
 * real build behind the real HTTP layer. Playwright's webServer starts it
 * with `node --import tsx e2e/serve.ts`; SIGTERM/SIGINT drop the database.
 * With SEED_DEMO=true the database holds the demo first (`npm run screenshots`).
 */
import { destination, pino } from 'pino'
import { parseConfig } from '~/lib/config.server'
import { closePool } from '~/models/db.server'
import { loadServerBuild } from '~/server/build-output.server'
import { createHttpApp } from '~/server/http.server'
import { closeServices, createServices } from '~/server/services.server'
import { seedDemo } from '../db/seed-demo'
import { openThrowawayDatabase } from '../db/throwaway'

const database = await openThrowawayDatabase('nextsaas_e2e')
process.env.DATABASE_URL = database.url
const config = parseConfig(process.env)

if (config.SEED_DEMO) {
  try {
    await seedDemo(database.url)
  } catch (error) {
    await closePool()
    await database.dispose()
    throw error
  }
}

const build = await loadServerBuild()
// stderr: Playwright shows the web server's stderr and ignores its stdout.
const logger = pino({ level: config.LOG_LEVEL }, destination(2))
const services = createServices(config, logger)
const server = createHttpApp({ build, config, logger, services }).listen(config.PORT, config.HOST, () => {
  logger.info({ port: config.PORT }, 'e2e app listening')
})
// On SIGTERM or SIGINT (Playwright stopping it), the database is dropped after these.
database.onDispose(() => {
  server.close()
  server.closeAllConnections()
})
database.onDispose(() => closeServices(services))
database.onDispose(closePool)
