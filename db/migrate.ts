import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runner } from 'node-pg-migrate'
import pg from 'pg'

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations')

/**
 * Applies (or reverts) migrations with the privileged URL, then gives the app's
 * login role the configured password: migrations create the role, config owns
 * the secret.
 */
export async function migrate(options: {
  databaseUrl: string
  direction: 'up' | 'down'
  count?: number
  appPassword: string
  log?: (message: string) => void
}): ReturnType<typeof runner> {
  const applied = await runner({
    databaseUrl: options.databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: options.direction,
    count: options.count ?? (options.direction === 'up' ? Infinity : 1),
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    log: options.log ?? (() => {}),
  })
  await setAppPassword(options.databaseUrl, options.appPassword)
  return applied
}

async function setAppPassword(databaseUrl: string, password: string) {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const role = await client.query(`select 1 from pg_roles where rolname = 'nextsaas_app'`)
    if (role.rowCount) await client.query(`alter role nextsaas_app password ${client.escapeLiteral(password)}`)
  } finally {
    await client.end()
  }
}
