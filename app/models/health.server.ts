import { z } from 'zod'
import { readPool, sql } from './db.server'

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

/**
 * Readiness of the database this machine reads (the replica in a replica
 * region): rejects, naming the lag, when it is more than `maxLagSeconds`
 * behind its primary — or does not answer.
 */
export async function replicaCaughtUp(maxLagSeconds: number): Promise<void> {
  const lag = await replicaLagSeconds()
  if (lag > maxLagSeconds) throw new Error(`${lag.toFixed(1)} s behind the primary (the bound is ${maxLagSeconds} s)`)
}
