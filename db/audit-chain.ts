/**
 * `npm run audit:verify`: recomputes each organization's audit hash chain
 * (see db/migrations/*_audit_hash_chain.sql) and reports the first broken
 * link. Runs on the privileged DATABASE_URL: it reads every organization's
 * rows, and what it checks must not depend on what a role may see.
 */
import type pg from 'pg'
import { checkpointSignatureHolds, type Checkpoint, type CheckpointKey } from './audit-checkpoint'

/** The chain of the rows outside any organization (sign-in, sign-up). */
export const ACCOUNT_CHAIN = '00000000-0000-0000-0000-000000000000'
export const GENESIS = Buffer.alloc(32)

/** Where a walk of a chain starts: its first row, or the last row a prune removed. */
export interface ChainStart {
  position: number
  hash: Buffer
}

export interface ChainReport {
  chain: string
  ok: boolean
  /** Rows checked (after the start). */
  rows: number
  start: ChainStart
  /** The last row's position and hash, as recomputed. */
  head: ChainStart
  /** What is wrong, at the first broken link. */
  problem?: string
}

/** The chains to check: every organization with audit rows or a chain head, or just one. */
export async function chainsToVerify(db: pg.Client, organizationId?: string): Promise<string[]> {
  if (organizationId) return [organizationId]
  const { rows } = await db.query<{ chain: string }>(`
    select organization_id::text as chain from audit_chain_heads
    union select organization_id::text from audit_checkpoints
    union select distinct audit_chain_key(organization_id)::text from audit_logs
    order by 1`)
  return rows.map((r) => r.chain)
}

/** The rows of a chain, its key as $1 (named in both forms, so that $1 always has a type). */
export const chainFilter = (chain: string) =>
  chain === ACCOUNT_CHAIN ? 'organization_id is null and $1::uuid is not null' : 'organization_id = $1::uuid'

/**
 * Walks one chain from `start` in one statement (a window over the rows in
 * position order, so memory stays flat however long the chain): the first
 * row whose position does not follow, whose prev_hash is not its
 * predecessor's hash, whose hash does not match its content, or whose user
 * is not the actor it was written with. Then the chain head must be the last
 * row: a row removed from the end leaves the head pointing past it.
 */
export async function verifyChain(db: pg.Client, chain: string, start: ChainStart = { position: 0, hash: GENESIS }): Promise<ChainReport> {
  const params = [chain, start.position, start.hash]
  const broken = await db.query<{ chain_position: string; problem: string }>(
    `with walk as (
       select a.chain_position, a.hash, a.prev_hash, a.user_id, a.actor_id,
              audit_row_hash(a.prev_hash, a) as recomputed,
              lag(a.chain_position, 1, $2::bigint) over w as before,
              lag(a.hash, 1, $3::bytea) over w as before_hash
       from audit_logs a
       where ${chainFilter(chain)} and a.chain_position > $2::bigint
       window w as (order by a.chain_position))
     select chain_position::text, case
         when chain_position <> before + 1 then 'row ' || (before + 1) || ' is missing (the next row found is ' || chain_position || ')'
         when prev_hash <> before_hash then 'its prev_hash is not the hash of row ' || before
         when recomputed <> hash then 'its content does not match its hash'
         when user_id is not null and user_id <> actor_id then 'its user is not the actor it was written with'
       end as problem
     from walk
     where chain_position <> before + 1 or prev_hash <> before_hash or recomputed <> hash
        or (user_id is not null and user_id <> actor_id)
     order by chain_position limit 1`,
    params,
  )
  const summary = await db.query<{ rows: string; position: string | null; hash: Buffer | null }>(
    `select count(*)::text as rows, max(chain_position)::text as position,
            (array_agg(hash order by chain_position desc))[1] as hash
     from audit_logs where ${chainFilter(chain)} and chain_position > $2::bigint`,
    [chain, start.position],
  )
  const { rows, position, hash } = summary.rows[0]!
  const head = position === null ? start : { position: Number(position), hash: hash! }
  const report = { chain, rows: Number(rows), start, head }
  if (broken.rows[0]) return { ...report, ok: false, problem: `at position ${broken.rows[0].chain_position}: ${broken.rows[0].problem}` }

  const recorded = await db.query<{ chain_position: string; hash: Buffer }>(
    `select chain_position::text, hash from audit_chain_heads where organization_id = $1::uuid`,
    [chain],
  )
  const stored = recorded.rows[0]
  if (!stored && head.position > 0) return { ...report, ok: false, problem: 'the chain has rows but no head' }
  if (stored && (Number(stored.chain_position) !== head.position || !stored.hash.equals(head.hash)))
    return {
      ...report,
      ok: false,
      problem: `the head is at position ${stored.chain_position} but the last row is at ${head.position} (rows removed from the end, or the head altered)`,
    }
  return { ...report, ok: true }
}

export function formatReport(report: ChainReport): string {
  const name = report.chain === ACCOUNT_CHAIN ? `${report.chain} (account events)` : report.chain
  if (!report.ok) return `BROKEN ${name} ${report.problem}`
  const from = report.start.position > 0 ? ` from checkpoint ${report.start.position}` : ''
  return `ok     ${name} ${report.rows} rows${from}, head ${report.head.position} ${report.head.hash.toString('hex')}`
}

/** The chain's latest checkpoint (where a prune cut it), with its signature. */
export async function latestCheckpoint(db: pg.Client, chain: string): Promise<(Checkpoint & { signature: Buffer; keyId: string }) | undefined> {
  const { rows } = await db.query<{ position: string; hash: Buffer; created_at: Date; signature: Buffer; key_id: string }>(
    `select chain_position::text as position, hash, created_at, signature, key_id from audit_checkpoints
     where organization_id = $1::uuid order by chain_position desc limit 1`,
    [chain],
  )
  const row = rows[0]
  return row && { chain, position: Number(row.position), hash: row.hash, createdAt: row.created_at, signature: row.signature, keyId: row.key_id }
}

/** One chain from its latest checkpoint, whose signature must hold under `key`. */
export async function verifyFromCheckpoint(db: pg.Client, chain: string, key: CheckpointKey | undefined): Promise<ChainReport> {
  const checkpoint = await latestCheckpoint(db, chain)
  if (!checkpoint) return verifyChain(db, chain)
  const start = { position: checkpoint.position, hash: checkpoint.hash }
  const refused = (problem: string): ChainReport => ({ chain, ok: false, rows: 0, start, head: start, problem })
  if (!key) return refused(`the checkpoint at position ${checkpoint.position} cannot be checked: no checkpoint key (AUDIT_CHECKPOINT_KEY)`)
  if (!checkpointSignatureHolds(key, checkpoint, checkpoint.signature))
    return refused(`the checkpoint at position ${checkpoint.position} is not signed by key ${key.id} (it names ${checkpoint.keyId})`)
  return verifyChain(db, chain, start)
}

/** Verifies every chain (or one organization's) from its latest checkpoint, printing a line for each; true when all hold. */
export async function verifyAuditChains(
  db: pg.Client,
  key: CheckpointKey | undefined,
  organizationId: string | undefined,
  print: (line: string) => void,
): Promise<boolean> {
  let ok = true
  for (const chain of await chainsToVerify(db, organizationId)) {
    const report = await verifyFromCheckpoint(db, chain, key)
    print(formatReport(report))
    ok &&= report.ok
  }
  return ok
}

/**
 * Recomputes a chain's hashes from `fromPosition` to its end, and its head,
 * after rows were corrected on purpose on the privileged connection (the
 * demo seed dates its story afterwards). Positions stay: the chain's order is
 * the order rows were written in. Call it inside the correcting transaction.
 */
export async function rechainFrom(db: pg.Client, chain: string, fromPosition: number): Promise<void> {
  const before = await db.query<{ hash: Buffer }>(
    `select hash from audit_logs where ${chainFilter(chain)} and chain_position = $2 - 1
     union all select hash from audit_checkpoints where organization_id = $1::uuid and chain_position = $2 - 1`,
    [chain, fromPosition],
  )
  let prev = before.rows[0]?.hash ?? GENESIS
  const { rows } = await db.query<{ id: string }>(
    `select id from audit_logs where ${chainFilter(chain)} and chain_position >= $2 order by chain_position`,
    [chain, fromPosition],
  )
  for (const { id } of rows) {
    const updated = await db.query<{ hash: Buffer }>(
      `update audit_logs a set prev_hash = $1, hash = audit_row_hash($1, a) where id = $2 returning hash`,
      [prev, id],
    )
    prev = updated.rows[0]!.hash
  }
  await db.query(`update audit_chain_heads set hash = $2 where organization_id = $1::uuid`, [chain, prev])
}
