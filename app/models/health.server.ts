import { z } from 'zod'
import { readPool, sql } from './db.server'

/** Liveness of the database this machine reads (the replica in a replica region), as the app's own login sees it. */
export async function checkDatabase(): Promise<{ status: 'ok' | 'error'; latencyMs: number }> {
  const started = performance.now()
  try {
    const pool = await readPool()
    await pool.query(sql.unsafe`select 1`)
    return { status: 'ok', latencyMs: Math.round(performance.now() - started) }
  } catch {
    return { status: 'error', latencyMs: Math.round(performance.now() - started) }
  }
}

/**
 * How far the database the app reads from is behind its primary, in seconds:
 * 0 on a primary, and on a standby that has replayed all it received.
 */
export async function replicaLagSeconds(): Promise<number> {
  const pool = await readPool()
  return pool.oneFirst(sql.type(z.object({ lag: z.number() }))`
    select case
             when not pg_is_in_recovery() or pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
             else coalesce(extract(epoch from now() - pg_last_xact_replay_timestamp()), 0)
           end::float8 as lag`)
}

export interface ReplicaLagCheck {
  status: 'ok' | 'error'
  /** Seconds behind the primary; null when the database did not answer. */
  lagSeconds: number | null
}

/**
 * Readiness of the database this machine reads (the replica in a replica
 * region): it answers, and it is at most `maxLagSeconds` behind its primary.
 */
export async function checkReplicaLag(maxLagSeconds: number): Promise<ReplicaLagCheck> {
  try {
    const lagSeconds = await replicaLagSeconds()
    return { status: lagSeconds <= maxLagSeconds ? 'ok' : 'error', lagSeconds }
  } catch {
    return { status: 'error', lagSeconds: null }
  }
}
