import { getPool, sql } from './db.server'

/** Liveness of the database, as the app's own login sees it. */
export async function checkDatabase(): Promise<{ status: 'ok' | 'error'; latencyMs: number }> {
  const started = performance.now()
  try {
    const pool = await getPool()
    await pool.query(sql.unsafe`select 1`)
    return { status: 'ok', latencyMs: Math.round(performance.now() - started) }
  } catch {
    return { status: 'error', latencyMs: Math.round(performance.now() - started) }
  }
}
