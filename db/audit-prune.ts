/**
 * `npm run audit:prune`: deletes each chain's audit rows older than its
 * organization's retention (at most AUDIT_RETENTION_MAX_DAYS; the maximum
 * for chains without an organization), keeping the chain verifiable: a
 * signed checkpoint records the last deleted row's position and hash, in the
 * transaction that deletes. Only this privileged connection deletes audit
 * rows; no role the app becomes may.
 */
import type pg from 'pg'
import type { Config } from '~/lib/config.server'
import { chainFilter, chainsToVerify, verifyFromCheckpoint } from './audit-chain'
import { signCheckpoint, type CheckpointKey } from './audit-checkpoint'

export interface PruneResult {
  chain: string
  retentionDays: number
  /** Rows deleted; 0 when nothing was old enough. */
  pruned: number
  /** The checkpoint written (the last deleted position). */
  checkpoint?: number
  /** Why the chain was left alone: it does not verify, and deleting would hide that. */
  refused?: string
}

async function retentionDays(db: pg.Client, chain: string, maximum: number): Promise<number> {
  const { rows } = await db.query<{ days: number | null }>(`select audit_retention_days as days from organizations where id = $1::uuid`, [chain])
  return Math.min(rows[0]?.days ?? maximum, maximum)
}

/**
 * The last position to delete: the end of the run of rows, from the chain's
 * start, that are all older than the cutoff (a chain is cut only at its
 * start, so a late row written with an early time stops the cut before it).
 */
async function lastPrunable(db: pg.Client, chain: string, cutoff: Date): Promise<number | null> {
  const { rows } = await db.query<{ position: string | null }>(
    `select coalesce(
       (select min(chain_position) - 1 from audit_logs where ${chainFilter(chain)} and created_at >= $2),
       (select max(chain_position) from audit_logs where ${chainFilter(chain)}))::text as position`,
    [chain, cutoff],
  )
  return rows[0]?.position == null ? null : Number(rows[0].position)
}

async function pruneChain(db: pg.Client, key: CheckpointKey, chain: string, days: number, now: Date): Promise<PruneResult> {
  const result: PruneResult = { chain, retentionDays: days, pruned: 0 }
  const report = await verifyFromCheckpoint(db, chain, key)
  if (!report.ok) return { ...result, refused: `the chain does not verify (${report.problem}); run npm run audit:verify` }
  const cutoff = new Date(now.getTime() - days * 86_400_000)
  await db.query('begin')
  try {
    const last = await lastPrunable(db, chain, cutoff)
    if (last === null || last <= report.start.position) {
      await db.query('commit')
      return result
    }
    const { rows } = await db.query<{ hash: Buffer }>(`select hash from audit_logs where ${chainFilter(chain)} and chain_position = $2`, [
      chain,
      last,
    ])
    const checkpoint = { chain, position: last, hash: rows[0]!.hash, createdAt: now }
    const deleted = await db.query(`delete from audit_logs where ${chainFilter(chain)} and chain_position <= $2`, [chain, last])
    await db.query(
      `insert into audit_checkpoints (organization_id, chain_position, hash, pruned_rows, key_id, signature, created_at)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [chain, last, checkpoint.hash, deleted.rowCount, key.id, signCheckpoint(key, checkpoint), now],
    )
    await db.query('commit')
    return { ...result, pruned: deleted.rowCount ?? 0, checkpoint: last }
  } catch (error) {
    await db.query('rollback')
    throw error
  }
}

/** Prunes every chain (or one organization's), printing a line for each that changed or was refused; true when none was refused. */
export async function pruneAuditLogs(
  db: pg.Client,
  config: Config,
  key: CheckpointKey,
  options: { organizationId?: string; now?: Date; print?: (line: string) => void } = {},
): Promise<PruneResult[]> {
  const now = options.now ?? new Date()
  const results: PruneResult[] = []
  for (const chain of await chainsToVerify(db, options.organizationId)) {
    const result = await pruneChain(db, key, chain, await retentionDays(db, chain, config.AUDIT_RETENTION_MAX_DAYS), now)
    results.push(result)
    if (result.refused) options.print?.(`REFUSED ${chain} ${result.refused}`)
    else if (result.pruned)
      options.print?.(`pruned  ${chain} ${result.pruned} rows older than ${result.retentionDays} days, checkpoint at ${result.checkpoint}`)
  }
  return results
}
