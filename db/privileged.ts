/**
 * A privileged connection for operator commands (audit:verify, audit:prune):
 * DATABASE_URL, or the embedded PostgreSQL under .data/ when it is unset.
 */
import pg from 'pg'
import type { Config } from '~/lib/config.server'

/** Imported only when needed: production images leave the embedded PostgreSQL package out. */
async function startEmbedded(config: Config) {
  const { startEmbeddedPostgres } = await import('./embedded')
  return startEmbeddedPostgres({ dir: config.EMBEDDED_PG_DIR, port: config.EMBEDDED_PG_PORT, database: 'nextsaas', persistent: true })
}

export async function withPrivilegedClient<T>(config: Config, fn: (db: pg.Client) => Promise<T>): Promise<T> {
  const embedded = config.DATABASE_URL ? undefined : await startEmbedded(config)
  const db = new pg.Client({ connectionString: config.DATABASE_URL ?? embedded!.url, connectionTimeoutMillis: 5000 })
  try {
    await db.connect()
    return await fn(db)
  } finally {
    await db.end().catch(() => {})
    await embedded?.stop()
  }
}
