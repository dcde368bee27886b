/**
 * Live updates, the database's half: the changes the triggers announce on
 * channel `nextsaas_changes` (db/migrations/…_realtime_notify.sql, ids only),
 * one listening connection per process, and the re-read of the changed rows
 * as one subscriber, under RLS, which decides what that subscriber is shown.
 */
import pg from 'pg'
import type { Logger } from 'pino'
import { z } from 'zod'
import { hashSecret } from '~/lib/secrets.server'
import { claimsOf, sql, withAuthService, withTenant, type Actor } from './db.server'
import { PROJECT_COLUMNS } from './project.server'
import type { Credential } from './request-transaction.server'
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

/** A literal (never a parameter: realtime.read_as() runs the queries as text) array of validated ids. */
const idList = (ids: readonly string[]) => sql.fragment`${sql.literalValue(`{${ids.join(',')}}`)}::uuid[]`

/**
 * What each table's row looks like in an event: what its page shows, never a
 * secret (an invitation's token hash) nor what only its own page details (IP
 * addresses, samples of attacks).
 */
const ROWS: Record<ChangeTable, (ids: ReturnType<typeof idList>, org: ReturnType<typeof sql.literalValue>) => ReturnType<typeof sql.fragment>> = {
  workspaces: (ids, org) => sql.fragment`select ${WORKSPACE_COLUMNS} from workspaces w where w.organization_id = ${org} and w.id = any(${ids})`,
  projects: (ids, org) => sql.fragment`select ${PROJECT_COLUMNS} from projects p where p.organization_id = ${org} and p.id = any(${ids})`,
  members: (ids, org) => sql.fragment`
    select m.id, m.user_id, m.role, m.status, m.joined_at, u.name, u.email
    from organization_members m join auth.users u on u.id = m.user_id
    where m.organization_id = ${org} and m.id = any(${ids})`,
  roles: (ids, org) => sql.fragment`
    select r.id, r.key, r.name, r.description, r.permissions, r.is_builtin
    from roles r where r.organization_id = ${org} and r.id = any(${ids})`,
  invitations: (ids, org) => sql.fragment`
    select i.id, i.email, i.role, i.expires_at, i.accepted_at, i.revoked_at, i.created_at
    from invitations i where i.organization_id = ${org} and i.id = any(${ids})`,
  audit_logs: (ids, org) => sql.fragment`
    select a.id, a.user_id, a.action, a.resource_type, a.resource_id, a.result, a.created_at
    from audit_logs a where a.organization_id = ${org} and a.id = any(${ids})`,
  security_events: (ids, org) => sql.fragment`
    select e.id, e.type, e.severity, e.rule_id, e.count, e.blocked, e.last_seen_at
    from security_events e where e.organization_id = ${org} and e.id = any(${ids})`,
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

const Seen = z.object({ reader: z.number(), table: z.string(), id: z.string(), row: z.record(z.unknown()) })

/** The rows as one reader sees them, by `table:id`; the deletions they could see; the names of the users who made the changes. */
export interface ChangedRows {
  rows: Map<string, Record<string, unknown>>
  deletions: Set<string>
  actors: Map<string, string>
}

export const rowKey = (table: string, id: string) => `${table}:${id}`

/** The batch's re-read, as queries of literals each returning (table, id, row). */
function batchQueries(organizationId: string, changes: readonly Change[]) {
  const org = sql.literalValue(organizationId)
  const byTable = new Map<ChangeTable, Set<string>>()
  const actorIds = new Set<string>()
  const deletions = changes.filter((change) => change.op === 'delete')
  for (const change of changes) {
    if (change.op !== 'delete') byTable.set(change.table, (byTable.get(change.table) ?? new Set()).add(change.row))
    if (change.actor) actorIds.add(change.actor)
  }
  const parts = [...byTable].map(
    ([table, ids]) =>
      sql.fragment`select ${sql.literalValue(table)}::text as table, x.id::text as id, to_jsonb(x) as row from (${ROWS[table](idList([...ids]), org)}) x`,
  )
  if (actorIds.size) {
    parts.push(sql.fragment`
      select 'users'::text as table, u.id::text as id, jsonb_build_object('name', u.name) as row
      from realtime.member_names(${org}::uuid, ${idList([...actorIds])}) u`)
  }
  for (const change of deletions) {
    const key = sql.literalValue(rowKey(change.table, change.row))
    const permission = sql.literalValue(DELETION_PERMISSION[change.table])
    const ws = change.table === 'workspaces' ? change.row : change.ws
    const place = (id: string | undefined) => (id ? sql.fragment`${sql.literalValue(id)}::uuid` : sql.fragment`null::uuid`)
    parts.push(sql.fragment`
      select 'deleted'::text, ${key}::text, jsonb_build_object('visible', auth.has_permission(${org}::uuid, ${permission}, ${place(ws)}, ${place(change.project)}))`)
  }
  return parts
}

/**
 * The changed rows as each reader may see them, in one statement for the
 * whole batch and every reader: realtime.read_as() runs the batch's queries
 * once per reader's claims, as `authenticated`, so what RLS hides is simply
 * not there. A deleted row is gone: whether the reader could have seen it is
 * asked of the permission function the read policies call. Ids come from
 * the validated payloads and go in as literals.
 */
export async function readChangedRows(readers: readonly (Actor & { organizationId: string })[], changes: readonly Change[]): Promise<ChangedRows[]> {
  const results = readers.map((): ChangedRows => ({ rows: new Map(), deletions: new Set(), actors: new Map() }))
  const parts = readers.length ? batchQueries(readers[0]!.organizationId, changes) : []
  if (!parts.length) return results
  if (parts.some((part) => part.values.length)) throw new Error('the re-read must be made of literals')
  // `read_org`: each reader reads in this organization only (a narrowing the read policies use to ask about it alone).
  const claims = JSON.stringify(readers.map((reader) => ({ ...claimsOf(reader), read_org: reader.organizationId })))
  const queries = sql.array(
    parts.map((part) => part.sql),
    'text',
  )
  const found = await withTenant(readers[0]!, (tx) =>
    tx.any(sql.type(Seen)`select reader, "table" as table, id, "row" as row from realtime.read_as(${claims}::jsonb, ${queries})`),
  )
  for (const { reader, table, id, row } of found) {
    const result = results[reader]!
    if (table === 'users') result.actors.set(id, String(row.name))
    else if (table === 'deleted') {
      if (row.visible === true) result.deletions.add(id)
    } else result.rows.set(rowKey(table, id), row)
  }
  return results
}

/** A stream's credential as the periodic check needs it: its hash, and a session's absolute lifetime. */
export interface OpenStream {
  organizationId: string
  credential: Credential
}

/**
 * Which of `streams` (by index) still open: one statement for all of them
 * (realtime.open_streams(), as the auth service). A stream not returned has
 * lost its session, its token or its membership.
 */
export async function stillOpen(streams: readonly OpenStream[]): Promise<Set<number>> {
  if (!streams.length) return new Set()
  const described = streams.map(({ organizationId, credential }, i) => ({
    i,
    kind: credential.kind,
    hash: hashSecret(credential.secret),
    org: organizationId,
    ...(credential.kind === 'session' ? { lifetime: credential.lifetimeMs / 1000 } : {}),
  }))
  const open = await withAuthService((tx) =>
    tx.anyFirst(sql.type(z.object({ i: z.number() }))`select realtime.open_streams(${JSON.stringify(described)}::jsonb) as i`),
  )
  return new Set(open)
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
