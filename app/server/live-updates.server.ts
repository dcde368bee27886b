/**
 * Live updates: server-sent events per organization, filtered by the
 * database's own rules.
 *
 *   database triggers ─NOTIFY (ids only)→ one listening connection per process
 *     → per organization, the changes of one tick (TICK_MS) form a batch
 *     → one statement re-reads the batch's rows as each distinct reader
 *       (same claims: user and token scope) in turn, under RLS
 *       (models/changes.server.ts, realtime.read_as()): what RLS hides is not sent
 *     → each stream of that reader gets the rows as it may see them.
 *
 * A deletion has no row left to re-read: the same statement asks
 * auth.has_permission() whether the reader could see such a row there (or
 * the reader held a grant on that very row, which went with it).
 *
 * Every REALTIME_RECHECK_SECONDS, and at once when an organization's
 * members change, one statement checks every stream's credential and
 * membership (realtime.open_streams()); a stream that no longer opens gets
 * an `end` event and is closed. A role's lost permission needs no check: the
 * next re-read runs with the role as it is. The last
 * REALTIME_REPLAY_SECONDS of each organization's changes are kept (ids only)
 * for Last-Event-ID; older than that, the client is told to reload.
 *
 * A stream holds no database connection: its request's transaction commits
 * before the response goes out, and re-reads borrow the pool for a moment.
 */
import type { AppLoadContext } from '@remix-run/node'
import type { Logger } from 'pino'
import { Gauge, type Registry } from 'prom-client'
import { viewerOf, type Viewer } from '~/access/tenant.server'
import { appDatabaseUrl, type Config } from '~/lib/config.server'
import { refusal } from '~/lib/errors'
import {
  listenForChanges,
  readChangedRows,
  stillOpen,
  rowKey,
  type Change,
  type ChangedRows,
  type ChangeListener,
  type ListenerState,
} from '~/models/changes.server'
import { claimsOf } from '~/models/db.server'
import type { Credential } from '~/models/request-transaction.server'
import type { Tenant } from '~/models/tenant.server'

declare module '@remix-run/server-runtime' {
  interface AppLoadContext {
    /** The process's live-update hub; null when REALTIME_ENABLED=false. */
    liveUpdates: LiveUpdates | null
  }
}

/** Changes arriving within this many milliseconds are re-read together. */
const TICK_MS = 10
/** At most this many changes kept per organization for resuming, however young. */
const REPLAY_CAP = 10_000

/** One change as a stream sends it (JSON in the event's data). */
export interface LiveEvent {
  table: Change['table']
  op: Change['op']
  id: string
  workspaceId: string | null
  projectId: string | null
  /** The row as this reader may see it (absent for deletions). */
  row?: Record<string, unknown>
  /** Who made the change, when the reader may see their name. */
  actor: { id: string; name: string } | null
}

interface Stream {
  userId: string
  organizationId: string
  /** Streams with the same claims (user and token scope) are one reader of a batch's re-read. */
  readerKey: string
  viewer: Viewer
  credential: Credential
  /** Deliveries in order: a replay, then live batches. */
  queue: Promise<void>
  write(chunk: string): void
  end(chunk?: string): void
  closed: boolean
}

interface Organization {
  streams: Set<Stream>
  pending: Change[]
  recent: { change: Change; at: number }[]
}

export interface LiveUpdatesStatus {
  listener: ListenerState
  streams: number
  organizations: number
}

export interface LiveUpdates {
  /**
   * A text/event-stream response for `viewer` in its organization, resuming
   * after `lastEventId` when given; a 429 refusal (thrown) past a limit.
   */
  open(options: { viewer: Viewer; credential: Credential; lastEventId: string | null }): Response
  /** Is the change listener connected (for /readyz)? */
  ready(): boolean
  status(): LiveUpdatesStatus
  /** Ends every stream with a `shutdown` event and closes the listener. */
  close(): Promise<void>
}

const encoder = new TextEncoder()

function sse(event: string, data: unknown, id?: number) {
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
}

/**
 * A deletion the database could not vouch for (the grant that showed the row
 * went with it): sent when the reader held a grant on that very row.
 */
function grantedDeleted(viewer: Viewer, change: Change): boolean {
  if (change.table === 'projects') return viewer.grants.some((grant) => grant.projectId === change.row)
  if (change.table === 'workspaces') return viewer.grants.some((grant) => grant.workspaceId === change.row || grant.inWorkspaceId === change.row)
  return false
}

/** The events of one batch that this reader may see, as the chunk to write. */
function render(batch: readonly Change[], read: ChangedRows, viewer: Viewer): string {
  let chunk = ''
  for (const change of batch) {
    const row = change.op === 'delete' ? undefined : read.rows.get(rowKey(change.table, change.row))
    const key = rowKey(change.table, change.row)
    if (change.op === 'delete' ? !read.deletions.has(key) && !grantedDeleted(viewer, change) : !row) continue
    const name = change.actor && read.actors.get(change.actor)
    const event: LiveEvent = {
      table: change.table,
      op: change.op,
      id: change.row,
      workspaceId: change.ws ?? null,
      projectId: change.project ?? null,
      ...(row ? { row } : {}),
      actor: change.actor && name !== undefined ? { id: change.actor, name: name ?? '' } : null,
    }
    chunk += sse('change', event, change.id)
  }
  return chunk
}

export function createLiveUpdates(config: Config, logger: Logger, registry?: Registry): LiveUpdates {
  const organizations = new Map<string, Organization>()
  const perUser = new Map<string, number>()
  let total = 0
  let flushTimer: NodeJS.Timeout | undefined
  const replayMs = config.REALTIME_REPLAY_SECONDS * 1000

  const organization = (id: string) => {
    let found = organizations.get(id)
    if (!found) organizations.set(id, (found = { streams: new Set(), pending: [], recent: [] }))
    return found
  }

  const deliver = (stream: Stream, chunk: Promise<string>) => {
    stream.queue = stream.queue
      .then(() => chunk)
      .then((text) => {
        if (text && !stream.closed) stream.write(text)
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'live update could not be read')
        stream.end(sse('reload', { reason: 'error' }))
      })
  }

  /** One batch to the organization's streams: one statement re-reads it for every distinct reader. */
  function send(org: Organization, batch: readonly Change[]) {
    const readers = new Map<string, Stream[]>()
    for (const stream of org.streams) readers.set(stream.readerKey, [...(readers.get(stream.readerKey) ?? []), stream])
    const groups = [...readers.values()]
    const read = readChangedRows(
      groups.map((streams) => streams[0]!.viewer.actor),
      batch,
    )
    groups.forEach((streams, i) => {
      for (const stream of streams)
        deliver(
          stream,
          read.then((rows) => render(batch, rows[i]!, stream.viewer)),
        )
    })
  }

  function prune(org: Organization, now: number) {
    let drop = 0
    while (drop < org.recent.length && (now - org.recent[drop]!.at > replayMs || org.recent.length - drop > REPLAY_CAP)) drop++
    if (drop) org.recent.splice(0, drop)
  }

  function flush() {
    flushTimer = undefined
    const now = Date.now()
    for (const [id, org] of organizations) {
      const batch = org.pending.splice(0)
      if (batch.length) {
        org.recent.push(...batch.map((change) => ({ change, at: now })))
        if (org.streams.size) send(org, batch)
        // A member removed or suspended: their streams end now, not at the next period.
        if (org.streams.size && batch.some((change) => change.table === 'members')) void checkAll()
      }
      prune(org, now)
      if (!org.streams.size && !org.recent.length) organizations.delete(id)
    }
  }

  function onChange(change: Change) {
    organization(change.org).pending.push(change)
    flushTimer ??= setTimeout(flush, TICK_MS)
  }

  /** Changes announced while the listener was away are lost: every stream is told to reload. */
  function onGap() {
    for (const org of organizations.values()) {
      org.recent = []
      for (const stream of org.streams) stream.end(sse('reload', { reason: 'missed changes' }))
    }
  }

  const listener: ChangeListener = listenForChanges({
    url: appDatabaseUrl(config),
    logger: logger.child({ module: 'live-updates' }),
    onChange,
    onGap,
  })

  const allStreams = function* () {
    for (const org of organizations.values()) yield* org.streams
  }
  const heartbeat = setInterval(() => {
    for (const stream of allStreams()) stream.write(': heartbeat\n\n')
  }, config.REALTIME_HEARTBEAT_SECONDS * 1000)
  /** Every stream's credential and membership, in one statement; those that no longer open are ended. */
  let checking: Promise<void> | null = null
  let checkAgain = false
  async function checkAll(): Promise<void> {
    if (checking) {
      checkAgain = true
      return checking
    }
    checking = checkStreams()
    await checking
    checking = null
    if (checkAgain) {
      checkAgain = false
      await checkAll()
    }
  }
  async function checkStreams() {
    try {
      const streams = [...allStreams()]
      const open = await stillOpen(streams)
      streams.forEach((stream, i) => {
        if (!open.has(i)) stream.end(sse('end', { reason: 'access ended' }))
      })
    } catch (error) {
      logger.warn({ err: error }, 'live update streams could not be checked')
    }
  }
  const rechecks = setInterval(() => void checkAll(), config.REALTIME_RECHECK_SECONDS * 1000)
  heartbeat.unref()
  rechecks.unref()

  function refuseBeyondLimits(userId: string, org: Organization) {
    const limit =
      total >= config.REALTIME_MAX_STREAMS
        ? 'this server'
        : org.streams.size >= config.REALTIME_MAX_STREAMS_PER_ORG
          ? 'this organization'
          : (perUser.get(userId) ?? 0) >= config.REALTIME_MAX_STREAMS_PER_USER
            ? 'you'
            : null
    if (limit)
      throw refusal('RATE_LIMITED', `Too many open live-update streams for ${limit}; close one and try again`, { headers: { 'Retry-After': '30' } })
  }

  /** The changes after `lastEventId`, or null when it is no longer (or never was) in the window. */
  function missedSince(org: Organization, lastEventId: string): Change[] | null {
    prune(org, Date.now())
    const id = Number(lastEventId)
    const at = org.recent.findIndex((entry) => entry.change.id === id)
    return at < 0 ? null : org.recent.slice(at + 1).map((entry) => entry.change)
  }

  if (registry) {
    new Gauge({
      name: 'realtime_listener_up',
      help: 'Whether the live-update change listener is connected and listening (1) or not (0)',
      registers: [registry],
      collect() {
        this.set(listener.state() === 'listening' ? 1 : 0)
      },
    })
    new Gauge({
      name: 'realtime_streams',
      help: 'Open live-update streams in this process',
      registers: [registry],
      collect() {
        this.set(total)
      },
    })
  }

  return {
    open({ viewer, credential, lastEventId }) {
      if (listener.state() === 'closed') throw refusal('UNAVAILABLE', 'Live updates are shutting down; try again shortly')
      const userId = viewer.actor.userId
      const org = organization(viewer.actor.organizationId)
      refuseBeyondLimits(userId, org)
      let controller!: ReadableStreamDefaultController<Uint8Array>
      const body = new ReadableStream<Uint8Array>({
        start: (c) => void (controller = c),
        cancel: () => stream.end(),
      })
      const stream: Stream = {
        userId,
        organizationId: viewer.actor.organizationId,
        readerKey: JSON.stringify(claimsOf(viewer.actor)),
        viewer,
        credential,
        queue: Promise.resolve(),
        closed: false,
        write(chunk) {
          if (!this.closed) controller.enqueue(encoder.encode(chunk))
        },
        end(chunk) {
          if (this.closed) return
          if (chunk) this.write(chunk)
          this.closed = true
          org.streams.delete(this)
          total--
          const left = (perUser.get(userId) ?? 1) - 1
          if (left) perUser.set(userId, left)
          else perUser.delete(userId)
          try {
            controller.close()
          } catch {
            // Already cancelled by the client.
          }
        },
      }
      org.streams.add(stream)
      total++
      perUser.set(userId, (perUser.get(userId) ?? 0) + 1)

      stream.write(`retry: 3000\n: connected\n\n`)
      if (lastEventId) {
        const missed = missedSince(org, lastEventId)
        if (!missed) stream.write(sse('reload', { reason: 'too far behind' }))
        else if (missed.length)
          deliver(
            stream,
            readChangedRows([viewer.actor], missed).then(([rows]) => render(missed, rows!, stream.viewer)),
          )
      }
      return new Response(body, {
        headers: {
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-cache, no-transform',
          'X-Accel-Buffering': 'no',
        },
      })
    },
    ready: () => listener.state() === 'listening',
    status: () => ({ listener: listener.state(), streams: total, organizations: organizations.size }),
    async close() {
      clearInterval(heartbeat)
      clearInterval(rechecks)
      clearTimeout(flushTimer)
      for (const stream of [...allStreams()]) stream.end(sse('shutdown', { reason: 'server restarting' }))
      await listener.close()
    },
  }
}

/**
 * A route's answer for the tenant it resolved (either door): the stream, or
 * 401 when the credential cannot be kept for re-checks, 503 when live updates
 * are off. The request's transaction commits before the stream starts.
 */
export function liveUpdatesResponse(context: AppLoadContext, request: Request, tenant: Tenant, credential: Credential | null): Response {
  if (!context.liveUpdates) throw refusal('UNAVAILABLE', 'Live updates are turned off on this server')
  if (!credential) throw refusal('UNAUTHORIZED', 'Sign in to receive live updates')
  const lastEventId = request.headers.get('last-event-id') ?? new URL(request.url).searchParams.get('lastEventId')
  return context.liveUpdates.open({ viewer: viewerOf(tenant), credential, lastEventId: lastEventId || null })
}
