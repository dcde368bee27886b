/**
 * Live updates, the database's half: the changes the triggers announce on
 * channel `nextsaas_changes` (db/migrations/…_realtime_notify.sql, ids only),
 * one listening connection per process, and the re-read of the changed rows
 * as one subscriber, under RLS, which decides what that subscriber is shown.
 */
import pg from 'pg'
import type { Logger } from 'pino'
import { z } from 'zod'
import { sql, withTenant, type Actor } from './db.server'
import { PROJECT_COLUMNS } from './project.server'
import { WORKSPACE_COLUMNS } from './workspace.server'

export const CHANGES_CHANNEL = 'nextsaas_changes'

export const CHANGE_TABLES = ['workspaces', 'projects', 'members', 'roles', 'invitations', 'audit_logs', 'security_events'] as const
export type ChangeTable = (typeof CHANGE_TABLES)[number]

const uuid = z.string().uuid()

/** One NOTIFY payload: which row of which organization changed, and how; nothing of its content. */
export const Change = z.object({
  id: z.number().int().positive(),
  org: uuid,
  table: z.enum(CHANGE_TABLES),
  op: z.enum(['insert', 'update', 'delete']),
  row: uuid,
  ws: uuid.optional(),
  project: uuid.optional(),
  actor: uuid.optional(),
})
export type Change = z.infer<typeof Change>

export function parseChange(payload: string | undefined): Change | null {
  try {
    const parsed = Change.safeParse(JSON.parse(payload ?? ''))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

/**
 * What each table's row looks like in an event: what its page shows, never a
 * secret (an invitation's token hash) nor what only its own page details (IP
 * addresses, samples of attacks).
 */
const ROWS: Record<ChangeTable, (ids: readonly string[], org: string) => ReturnType<typeof sql.fragment>> = {
  workspaces: (ids, org) =>
    sql.fragment`select ${WORKSPACE_COLUMNS} from workspaces w where w.organization_id = ${org} and w.id = any(${sql.array(ids, 'uuid')})`,
  projects: (ids, org) =>
    sql.fragment`select ${PROJECT_COLUMNS} from projects p where p.organization_id = ${org} and p.id = any(${sql.array(ids, 'uuid')})`,
  members: (ids, org) => sql.fragment`
    select m.id, m.user_id, m.role, m.status, m.joined_at, u.name, u.email
    from organization_members m join auth.users u on u.id = m.user_id
    where m.organization_id = ${org} and m.id = any(${sql.array(ids, 'uuid')})`,
  roles: (ids, org) => sql.fragment`
    select r.id, r.key, r.name, r.description, r.permissions, r.is_builtin
    from roles r where r.organization_id = ${org} and r.id = any(${sql.array(ids, 'uuid')})`,
  invitations: (ids, org) => sql.fragment`
    select i.id, i.email, i.role, i.expires_at, i.accepted_at, i.revoked_at, i.created_at
    from invitations i where i.organization_id = ${org} and i.id = any(${sql.array(ids, 'uuid')})`,
  audit_logs: (ids, org) => sql.fragment`
    select a.id, a.user_id, a.action, a.resource_type, a.resource_id, a.result, a.created_at
    from audit_logs a where a.organization_id = ${org} and a.id = any(${sql.array(ids, 'uuid')})`,
  security_events: (ids, org) => sql.fragment`
    select e.id, e.type, e.severity, e.rule_id, e.count, e.blocked, e.last_seen_at
    from security_events e where e.organization_id = ${org} and e.id = any(${sql.array(ids, 'uuid')})`,
}

/**
 * Who could have seen a deleted row (it is gone, so RLS cannot say): the
 * permission its table's read policy asks for, where the row was.
 */
const DELETION_PERMISSION: Record<ChangeTable, string> = {
  workspaces: 'workspace:view',
  projects: 'project:view',
  members: 'member:view',
  roles: 'role:view',
  invitations: 'member:invite',
  audit_logs: 'audit:view',
  security_events: 'security:view',
}

const Seen = z.object({ table: z.string(), id: z.string(), row: z.record(z.unknown()) })

/** The rows as one reader sees them, by `table:id`; the deletions they could see; the names of the users who made the changes. */
export interface ChangedRows {
  rows: Map<string, Record<string, unknown>>
  deletions: Set<string>
  actors: Map<string, string>
}

export const rowKey = (table: string, id: string) => `${table}:${id}`

/**
 * The changed rows as `actor` may see them: one transaction, one statement for
 * every table in the batch (what RLS hides is simply not there). A deleted
 * row is gone: whether the reader could have seen it is asked of the same
 * permission function the read policies call, in the same statement.
 */
export async function readChangedRows(actor: Actor & { organizationId: string }, changes: readonly Change[]): Promise<ChangedRows> {
  const byTable = new Map<ChangeTable, Set<string>>()
  const actorIds = new Set<string>()
  const deletions = changes.filter((change) => change.op === 'delete')
  for (const change of changes) {
    if (change.op !== 'delete') byTable.set(change.table, (byTable.get(change.table) ?? new Set()).add(change.row))
    if (change.actor) actorIds.add(change.actor)
  }
  const parts = [...byTable].map(
    ([table, ids]) =>
      sql.fragment`select ${table}::text as table, x.id::text as id, to_jsonb(x) as row from (${ROWS[table]([...ids], actor.organizationId)}) x`,
  )
  if (actorIds.size) {
    parts.push(sql.fragment`
      select 'users' as table, u.id::text as id, jsonb_build_object('name', u.name) as row
      from auth.users u where u.id = any(${sql.array([...actorIds], 'uuid')})`)
  }
  if (deletions.length) {
    const column = <T>(pick: (change: Change) => T) => deletions.map(pick)
    const workspaceOf = (change: Change) => (change.table === 'workspaces' ? change.row : (change.ws ?? null))
    parts.push(sql.fragment`
      select 'deleted' as table, d.key as id, jsonb_build_object('visible', auth.has_permission(${actor.organizationId}, d.permission, d.ws, d.project)) as row
      from unnest(${sql.array(
        column((change) => rowKey(change.table, change.row)),
        'text',
      )}, ${sql.array(
        column((change) => DELETION_PERMISSION[change.table]),
        'text',
      )},
                  ${sql.array(column(workspaceOf), 'uuid')}, ${sql.array(
                    column((change) => change.project ?? null),
                    'uuid',
                  )})
             as d(key, permission, ws, project)`)
  }
  if (!parts.length) return { rows: new Map(), deletions: new Set(), actors: new Map() }
  const found = await withTenant(actor, (tx) => tx.any(sql.type(Seen)`${sql.join(parts, sql.fragment` union all `)}`))
  const rows = new Map<string, Record<string, unknown>>()
  const visibleDeletions = new Set<string>()
  const actors = new Map<string, string>()
  for (const { table, id, row } of found) {
    if (table === 'users') actors.set(id, String(row.name))
    else if (table === 'deleted') {
      if (row.visible === true) visibleDeletions.add(id)
    } else rows.set(rowKey(table, id), row)
  }
  return { rows, deletions: visibleDeletions, actors }
}

export type ListenerState = 'connecting' | 'listening' | 'closed'

export interface ChangeListener {
  state(): ListenerState
  close(): Promise<void>
}

const BACKOFF_MS = { first: 250, max: 30_000 }

/**
 * One dedicated connection (not from the pool: LISTEN holds its session)
 * that hands each announced change to `onChange`. It reconnects with
 * exponential backoff; `onGap` is told when it listens again after losing
 * the connection, since what was announced meanwhile is lost.
 */
export function listenForChanges(options: {
  url: string
  logger: Logger
  onChange: (change: Change) => void
  onGap: () => void
  onState?: (state: ListenerState) => void
}): ChangeListener {
  const { logger } = options
  let state: ListenerState = 'connecting'
  let closed = false
  let client: pg.Client | null = null
  let retryTimer: NodeJS.Timeout | undefined
  let attempts = 0
  let listenedBefore = false
  const setState = (next: ListenerState) => {
    state = next
    options.onState?.(next)
  }

  /** Drops `lost` (if it is still the current connection) and tries again later. */
  const retry = (lost: pg.Client) => {
    if (client !== lost || closed) return
    client = null
    setState('connecting')
    const delay = Math.min(BACKOFF_MS.max, BACKOFF_MS.first * 2 ** attempts++)
    retryTimer = setTimeout(connect, delay * (0.5 + Math.random() / 2))
  }

  async function connect() {
    if (closed) return
    const next = new pg.Client({ connectionString: options.url, application_name: 'nextsaas-changes' })
    client = next
    next.on('notification', (message) => {
      const change = parseChange(message.payload)
      if (change) options.onChange(change)
      else logger.warn({ channel: message.channel }, 'unreadable change notification ignored')
    })
    next.on('error', (error) => logger.warn({ err: error }, 'change listener connection failed'))
    next.on('end', () => {
      if (client === next && !closed) logger.warn('change listener disconnected; reconnecting')
      retry(next)
    })
    try {
      await next.connect()
      await next.query(`listen ${CHANGES_CHANNEL}`)
    } catch (error) {
      logger.warn({ err: error }, 'change listener could not connect')
      retry(next)
      await next.end().catch(() => {})
      return
    }
    if (closed) return void (await next.end().catch(() => {}))
    attempts = 0
    setState('listening')
    if (listenedBefore) options.onGap()
    listenedBefore = true
  }

  void connect()
  return {
    state: () => state,
    async close() {
      closed = true
      setState('closed')
      clearTimeout(retryTimer)
      const current = client
      client = null
      await current?.end().catch(() => {})
    },
  }
}
