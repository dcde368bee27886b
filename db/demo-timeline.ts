/**
 * Dates for the demo's history. The models stamp every row with now(), so a
 * story seeded through them would all happen in the same second. The seed
 * runs each step of its story in order through the models — the same
 * validation, the same audit rows — and the timeline notes the database clock
 * before and after each step. Then, in one transaction on the seed's
 * privileged connection, every timestamp a step wrote is moved to the moment
 * the story gives that step, keeping the order within it. Only the seed's own
 * rows move: the demo organization's, and its people's account rows.
 */
import pg from 'pg'
import { rechainFrom } from './audit-chain'

interface Step {
  ranFrom: Date
  ranTo: Date
  happened: Date
}

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

/** `days` days before today (UTC) at `time` (`HH:MM`, UTC). */
export function daysAgo(days: number, time: string): Date {
  const [hours, minutes] = time.split(':').map(Number)
  const midnight = new Date()
  midnight.setUTCHours(0, 0, 0, 0)
  return new Date(midnight.getTime() - days * DAY + (hours! * 60 + minutes!) * MINUTE)
}

/** `hours` hours ago, to the minute. */
export function hoursAgo(hours: number): Date {
  return new Date(Math.floor((Date.now() - hours * 60 * MINUTE) / MINUTE) * MINUTE)
}

/**
 * `column` moved by its step's shift `s.shift`, as a UTC timestamp: arithmetic
 * on timestamp is immutable, on timestamptz only stable, and Citus sends no
 * stable function of a column to its workers.
 */
const movedUtc = (column: string) => `(${column} at time zone 'UTC' + s.shift)`

/**
 * Each table the story writes to, which of its rows are the seed's, the
 * timestamps to move, and what moves with the row's created_at.
 */
const MOVES: { table: string; rows: string; set: string[]; withCreatedAt?: string }[] = [
  { table: 'auth.users', rows: 'id = any(:users)', set: ['created_at', 'updated_at', 'email_verified_at'] },
  { table: 'public.audit_logs', rows: 'organization_id = :org or user_id = any(:users)', set: ['created_at'] },
  { table: 'public.organizations', rows: 'id = :org', set: ['created_at', 'updated_at'] },
  { table: 'public.roles', rows: 'organization_id = :org', set: ['created_at', 'updated_at'] },
  { table: 'public.organization_members', rows: 'organization_id = :org', set: ['invited_at', 'joined_at', 'created_at', 'updated_at'] },
  { table: 'public.workspaces', rows: 'organization_id = :org', set: ['created_at', 'updated_at'] },
  { table: 'public.projects', rows: 'organization_id = :org', set: ['created_at', 'updated_at'] },
  { table: 'public.role_grants', rows: 'organization_id = :org', set: ['created_at'] },
  {
    table: 'public.invitations',
    rows: 'organization_id = :org',
    set: ['created_at', 'updated_at', 'accepted_at', 'revoked_at'],
    // A week from when it was sent, wherever that moved.
    withCreatedAt: `expires_at = ${movedUtc('expires_at')} at time zone 'UTC'`,
  },
  {
    table: 'public.security_events',
    rows: 'organization_id = :org',
    set: ['created_at', 'last_seen_at'],
    withCreatedAt: `bucket = date_trunc('minute', ${movedUtc('created_at')}) at time zone 'UTC'`,
  },
]

/** The audit rows' hashes cover their time: the chains the story's rows belong to are recomputed from its first row on. */
async function rechainMoved(admin: pg.Client, organizationId: string, userIds: readonly string[]) {
  const { rows } = await admin.query<{ chain: string; first: string }>(
    `select audit_chain_key(organization_id)::text as chain, min(chain_position)::text as first from audit_logs
     where organization_id = $1 or user_id = any($2::uuid[]) group by 1`,
    [organizationId, userIds],
  )
  for (const { chain, first } of rows) await rechainFrom(admin, chain, Number(first))
}

export class Timeline {
  private readonly steps: Step[] = []

  constructor(private readonly admin: pg.Client) {}

  private async clock(): Promise<Date> {
    const { rows } = await this.admin.query<{ now: Date }>('select clock_timestamp() as now')
    return rows[0]!.now
  }

  /** Runs `step` now, to be dated `happened`: later than the step before, and in the past. */
  async at<T>(happened: Date, step: () => Promise<T>): Promise<T> {
    const previous = this.steps.at(-1)?.happened
    if ((previous && happened <= previous) || happened.getTime() >= Date.now()) {
      throw new Error(`demo story out of order at ${happened.toISOString()}`)
    }
    const ranFrom = await this.clock()
    const result = await step()
    this.steps.push({ ranFrom, ranTo: await this.clock(), happened })
    return result
  }

  /** Moves what the steps wrote for `organizationId` and `userIds` to the moments the story gives them. */
  async backdate(organizationId: string, userIds: readonly string[]): Promise<void> {
    const admin = this.admin
    const steps = [
      this.steps.map((s) => s.ranFrom),
      this.steps.map((s) => s.ranTo),
      this.steps.map((s) => `${s.happened.getTime() - s.ranFrom.getTime()} milliseconds`),
    ]
    const org = `${pg.escapeLiteral(organizationId)}::uuid`
    const users = `array[${userIds.map((id) => pg.escapeLiteral(id)).join(', ')}]::uuid[]`
    await admin.query('begin')
    try {
      // These are corrections of the seed's own rows, not changes: no touch_updated_at, no other
      // trigger. On Citus the SET must reach the workers, whose triggers fire there.
      await admin.query(
        `select set_config('citus.propagate_set_commands', 'local', true) where current_setting('citus.propagate_set_commands', true) is not null`,
      )
      await admin.query('set local session_replication_role = replica')
      // One column at a time, each by the shift of the step that wrote it (Citus sends neither a
      // CASE over a row's steps nor a function of a temp table to its workers).
      for (const move of MOVES) {
        const rows = move.rows.replaceAll(':org', org).replaceAll(':users', users)
        for (const column of move.set) {
          const set = [
            `${column} = ${movedUtc(column)} at time zone 'UTC'`,
            ...(column === 'created_at' && move.withCreatedAt ? [move.withCreatedAt] : []),
          ]
          await admin.query(
            `update ${move.table} set ${set.join(', ')}
             from unnest($1::timestamptz[], $2::timestamptz[], $3::interval[]) as s(ran_from, ran_to, shift)
             where (${rows}) and ${column} between s.ran_from and s.ran_to`,
            steps,
          )
        }
      }
      await rechainMoved(admin, organizationId, userIds)
      await admin.query('commit')
    } catch (error) {
      await admin.query('rollback')
      throw error
    }
  }
}
