/**
 * npm run doctor [-- --processes N]: checks this deployment from the inside
 * and prints one verdict per line; exits 1 when any check fails. Uses
 * DATABASE_URL, or the embedded PostgreSQL under .data/ when it is unset.
 * --processes: how many app processes share the database (default: two must
 * fit, for a rolling deploy).
 */
import { parseArgs } from 'node:util'
import { parseConfig } from '~/lib/config.server'
import { formatResults, runDoctor } from '../db/doctor'
import type { EmbeddedDatabase } from '../db/embedded'

const { values } = parseArgs({ options: { processes: { type: 'string' } } })
const processes = values.processes === undefined ? undefined : Number(values.processes)
if (processes !== undefined && !(Number.isInteger(processes) && processes > 0)) {
  console.error('usage: npm run doctor [-- --processes N]  (N a whole number of app processes)')
  process.exit(2)
}

const env = { ...process.env }
let embedded: EmbeddedDatabase | undefined
// The embedded PostgreSQL only where npm start would run one (production images leave the package out).
if (!env.DATABASE_URL && !env.APP_DATABASE_URL && env.NODE_ENV !== 'production') {
  // Only when the configuration reads: a broken one is the first line of the report.
  const config = (() => {
    try {
      return parseConfig(env)
    } catch {
      return undefined
    }
  })()
  if (config) {
    const { startEmbeddedPostgres } = await import('../db/embedded')
    embedded = await startEmbeddedPostgres({ dir: config.EMBEDDED_PG_DIR, port: config.EMBEDDED_PG_PORT, database: 'nextsaas', persistent: true })
    env.DATABASE_URL = embedded.url
  }
}
try {
  const results = await runDoctor(env, { processes })
  console.log(formatResults(results))
  process.exitCode = results.some((r) => r.verdict === 'fail') ? 1 : 0
} finally {
  await embedded?.stop()
}
