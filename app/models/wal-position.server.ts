/**
 * Read-your-writes across regions (docs/decisions/017-regions.md): a write on
 * the primary hands its client the primary's WAL position after the commit;
 * a read in a replica region that carries it waits until the replica has
 * replayed that far.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { z } from 'zod'
import { onPrimary, getPool, readPool, sql } from './db.server'

/** A WAL position as PostgreSQL prints a pg_lsn: two hexadecimal numbers. */
const WAL_POSITION = /^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/i

export function isWalPosition(text: string | null | undefined): text is string {
  return typeof text === 'string' && WAL_POSITION.test(text)
}

/**
 * Where the primary's WAL ends now: at or past the commit of everything this
 * request wrote, on any connection. One statement, no transaction.
 */
export async function primaryWalPosition(): Promise<string> {
  const pool = await onPrimary(getPool)
  return pool.oneFirst(sql.type(z.object({ lsn: z.string() }))`select pg_current_wal_lsn()::text as lsn`)
}

/** How often a waiting request asks the replica how far it has replayed. */
const POLL_MS = 10

/**
 * Waits up to `maxMs` for the replica this region reads to have replayed
 * `position`; true when it has (at once on a primary, which replays nothing).
 */
export async function replayedPast(position: string, maxMs: number): Promise<boolean> {
  if (!isWalPosition(position)) return true
  const pool = await readPool()
  const deadline = performance.now() + maxMs
  for (;;) {
    const reached = await pool.oneFirst(sql.type(z.object({ reached: z.boolean() }))`
      select coalesce(pg_last_wal_replay_lsn() >= ${position}::pg_lsn, true) as reached`)
    if (reached) return true
    const left = deadline - performance.now()
    if (left <= 0) return false
    await sleep(Math.min(POLL_MS, left))
  }
}
