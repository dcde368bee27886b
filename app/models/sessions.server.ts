/**
 * Session rows beyond what Lucia does itself: the idle clock, the client a
 * session is used from, and the sessions page. A request reads its session in
 * its opening (request-transaction.server.ts) and notes its use here, after
 * its transaction has ended. A signed-in user reads and ends sessions through
 * withTenant(), where RLS shows them their own sessions and no one else's.
 */
import { z } from 'zod'
import { writeAudit } from './audit.server'
import { sql, withAuthService, withTenant, type Actor } from './db.server'

const ActiveSession = z.object({
  id: z.string(),
  ipAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
  createdAt: z.date(),
  lastSeenAt: z.date(),
})
export type ActiveSession = z.infer<typeof ActiveSession>

/** Marks a session as used now and moves its idle deadline to a full idle period from now. */
export async function touchSession(sessionId: string, idleTimeoutMs: number): Promise<void> {
  await withAuthService((tx) =>
    tx.query(sql.unsafe`
      update auth.sessions set last_seen_at = now(), expires_at = now() + make_interval(secs => ${idleTimeoutMs / 1000})
      where id = ${sessionId}`),
  )
}

/** Deletes a session past either deadline (a presented one that no longer opens anything). */
export async function deleteEndedSession(sessionId: string, lifetimeMs: number): Promise<void> {
  await withAuthService((tx) =>
    tx.query(sql.unsafe`
      delete from auth.sessions
      where id = ${sessionId} and (expires_at <= now() or created_at <= now() - make_interval(secs => ${lifetimeMs / 1000}))`),
  )
}

/**
 * Notes that a session is now used from `client`, another client than the one
 * that signed in; false when that change was already noted (by an earlier or
 * a concurrent request), so that each change is recorded once.
 */
export async function noteSessionClientChange(sessionId: string, client: string): Promise<boolean> {
  return withAuthService(async (tx) => {
    const noted = await tx.query(sql.unsafe`
      update auth.sessions set changed_client = ${client}
      where id = ${sessionId} and changed_client is distinct from ${client}`)
    return noted.rowCount > 0
  })
}

/** The actor's sessions that have not expired, most recently used first. */
export function listSessions(actor: Actor): Promise<readonly ActiveSession[]> {
  return withTenant(actor, (tx) =>
    tx.any(sql.type(ActiveSession)`
      select id, host(ip_address) as "ipAddress", user_agent as "userAgent", created_at as "createdAt", last_seen_at as "lastSeenAt"
      from auth.sessions
      where user_id = ${actor.userId} and expires_at > now()
      order by last_seen_at desc`),
  )
}

/** Ends one of the actor's sessions; another user's session id matches nothing. */
export function endSession(actor: Actor, sessionId: string): Promise<boolean> {
  return withTenant(actor, async (tx) => {
    const ended = await tx.query(sql.unsafe`delete from auth.sessions where id = ${sessionId}`)
    if (ended.rowCount) await writeAudit(tx, actor, { action: 'session.ended', resourceType: 'session' })
    return ended.rowCount > 0
  })
}

/**
 * Ends every session of the user except `keepSessionId` (all of them when it
 * is null): sign-out-everywhere, and after a password change or reset.
 */
export function endOtherSessions(actor: Actor, keepSessionId: string | null, reason: string): Promise<number> {
  return withAuthService(async (tx) => {
    const ended = await tx.query(sql.unsafe`
      delete from auth.sessions where user_id = ${actor.userId} and id is distinct from ${keepSessionId}`)
    await writeAudit(tx, actor, {
      action: 'session.ended_others',
      resourceType: 'user',
      resourceId: actor.userId,
      details: { reason, count: ended.rowCount },
    })
    return ended.rowCount
  })
}
