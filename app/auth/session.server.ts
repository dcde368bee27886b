/**
 * Sessions, behind one module. Lucia v3 (unmaintained upstream) is used only
 * here: replacing it with the Lucia guide's own code is a change to this file.
 *
 * The cookie carries a random token; the database stores only its SHA-256 as
 * the session id, so a leaked sessions table yields no usable session.
 *
 * Two clocks end a session: the idle timeout (expires_at, moved forward as the
 * session is used, at most once a minute) and the absolute timeout, counted
 * from sign-in (created_at), which no activity extends.
 *
 * Over HTTPS (seen directly or through a trusted proxy's X-Forwarded-Proto)
 * and always in production, the cookie is `__Host-nextsaas_session` with
 * Secure: only this exact host, over HTTPS, can set or read it. Over plain
 * http in development it is `nextsaas_session`, so localhost works.
 */
import { randomBytes } from 'node:crypto'
import { redirect, type AppLoadContext } from '@remix-run/node'
import { Cookie, Lucia, TimeSpan } from 'lucia'
import pg from 'pg'
import { appDatabaseUrl, getConfig, SESSION_POOL_SIZE } from '~/lib/config.server'
import { clientOf, memoize } from '~/lib/request-context'
import { hashSecret } from '~/lib/secrets.server'
import { clientFamily } from '~/lib/user-agent'
import type { PoolProbe } from '~/models/db.server'
import { recordSecurityEvent } from '~/models/security-event.server'
import { deleteEndedSession, endOtherSessions, noteSessionClientChange, touchSession } from '~/models/sessions.server'
import type { SessionUser } from '~/models/user.server'
import { organizationInPath } from '~/security/request-parts.server'
import { openRequest, type RouteParams } from './opening.server'
import { SessionAdapter } from './session-adapter.server'

const COOKIE_NAME = 'nextsaas_session'
const SECURE_COOKIE_NAME = `__Host-${COOKIE_NAME}`
/** How stale a session's last use may get before a request notes it again. */
const TOUCH_INTERVAL_MS = 60_000

// Lucia's adapter talks to its own small pg pool, logged in as the app role
// and acting as nextsaas_auth, the only role that can see sessions.
function createSessionPool() {
  const pool = new pg.Pool({
    connectionString: appDatabaseUrl(getConfig()),
    options: '-c role=nextsaas_auth',
    max: SESSION_POOL_SIZE,
  })
  // An idle connection cut by the server (restart, failover) must not crash the process.
  pool.on('error', () => {})
  return pool
}

function createLucia(pool: pg.Pool) {
  const adapter = new SessionAdapter(pool)
  return new Lucia(adapter, {
    sessionExpiresIn: new TimeSpan(getConfig().SESSION_IDLE_TIMEOUT / 1000, 's'),
    sessionCookie: { name: COOKIE_NAME, attributes: { sameSite: 'lax' } },
    getUserAttributes: (attributes) => ({
      email: attributes.email,
      name: attributes.name,
      emailVerified: attributes.email_verified_at !== null,
    }),
    getSessionAttributes: (attributes) => ({
      createdAt: attributes.created_at,
      lastSeenAt: attributes.last_seen_at,
      userAgent: attributes.user_agent,
      changedClient: attributes.changed_client ?? null,
    }),
  })
}

declare module 'lucia' {
  interface Register {
    Lucia: ReturnType<typeof createLucia>
    DatabaseUserAttributes: { email: string; name: string; email_verified_at: Date | null }
    DatabaseSessionAttributes: {
      ip_address: string | null
      user_agent: string | null
      // Set by the database on insert.
      created_at?: Date
      last_seen_at?: Date
      // Set when the session is used from another client (noticeClientChange).
      changed_client?: string | null
    }
  }
}

// One per process, on globalThis: Lucia holds a connection pool, and the HTTP
// layer and the Remix build each carry their own copy of this module.
const globalForLucia = globalThis as unknown as { __nextsaasLucia?: { lucia: ReturnType<typeof createLucia>; pool: pg.Pool } }
function sessions() {
  if (!globalForLucia.__nextsaasLucia) {
    const pool = createSessionPool()
    globalForLucia.__nextsaasLucia = { lucia: createLucia(pool), pool }
  }
  return globalForLucia.__nextsaasLucia
}
const lucia = () => sessions().lucia

/** The session pool's probe for the metrics (no stats before a session was looked up). */
export function sessionPoolProbe(): PoolProbe {
  return {
    async stats() {
      const pool = globalForLucia.__nextsaasLucia?.pool
      if (!pool) return null
      return { inUse: pool.totalCount - pool.idleCount, idle: pool.idleCount, waiting: pool.waitingCount, max: SESSION_POOL_SIZE }
    },
    async ping() {
      await sessions().pool.query('select 1')
    },
  }
}

/** Ends the session pool, at the end of the process; a later lookup would open a new one. */
export async function closeSessionPool() {
  const opened = globalForLucia.__nextsaasLucia
  globalForLucia.__nextsaasLucia = undefined
  await opened?.pool.end()
}

/** Over HTTPS, and always in production, the cookie has the __Host- name. */
function securedTransport(https: boolean) {
  return getConfig().NODE_ENV === 'production' || https
}
const securedCookie = (request: Request) => securedTransport(new URL(request.url).protocol === 'https:')

/** The session cookie, or the blank one that clears it; it lives until the absolute deadline. */
function serializeCookie(request: Request, token: string | null, maxAgeMs = getConfig().SESSION_ABSOLUTE_TIMEOUT) {
  const secure = securedCookie(request)
  const base = token === null ? lucia().createBlankSessionCookie() : lucia().createSessionCookie(token)
  const maxAge = token === null ? 0 : Math.max(0, Math.floor(maxAgeMs / 1000))
  return new Cookie(secure ? SECURE_COOKIE_NAME : COOKIE_NAME, base.value, { ...base.attributes, secure, maxAge }).serialize()
}

/** The session token in a Cookie header, read only under the cookie name this transport uses. */
function tokenInCookies(header: string | null | undefined, secure: boolean): string | null {
  const name = secure ? SECURE_COOKIE_NAME : COOKIE_NAME
  for (const pair of (header ?? '').split(';')) {
    const separator = pair.indexOf('=')
    if (separator > 0 && pair.slice(0, separator).trim() === name) return pair.slice(separator + 1).trim() || null
  }
  return null
}

const readToken = (request: Request) => tokenInCookies(request.headers.get('cookie'), securedCookie(request))

/**
 * The id of the session a Cookie header carries, valid or not, for what the
 * HTTP layer records before any route runs (it sees the header, not a Request).
 */
export function sessionIdInCookies(header: string | undefined, https: boolean): string | null {
  const token = tokenInCookies(header, securedTransport(https))
  return token ? hashSecret(token) : null
}

/** The id of the request's session (whether or not it is still valid), for "this device". */
export function currentSessionId(request: Request): string | null {
  const token = readToken(request)
  return token ? hashSecret(token) : null
}

/**
 * Starts a new session (never reuses one: no fixation) and returns its token:
 * the JSON API hands it over as a bearer token, sessionCookie() as a cookie.
 */
export async function startSession(request: Request, userId: string, client: { ip?: string }): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  await lucia().createSession(
    userId,
    { ip_address: client.ip ?? null, user_agent: request.headers.get('user-agent')?.slice(0, 512) ?? null },
    { sessionId: hashSecret(token) },
  )
  return token
}

/** A new session's token as its Set-Cookie value. */
export function sessionCookie(request: Request, token: string): string {
  return serializeCookie(request, token)
}

/** Starts a new session and returns its Set-Cookie value. */
export async function createSession(request: Request, userId: string, client: { ip?: string }): Promise<string> {
  return sessionCookie(request, await startSession(request, userId, client))
}

/**
 * A session token (the cookie's or an API bearer token), checked in the
 * request's opening round trip against both clocks: its user and session id,
 * or null once either deadline has passed (and the ended session is deleted).
 * A session in use moves its idle deadline forward (at most once a minute),
 * and its use from another client is noticed, whichever way it came in —
 * all after the request's transaction has ended.
 */
export async function validateSessionToken(token: string, request: Request, context: AppLoadContext, params: RouteParams, api: boolean) {
  const { SESSION_ABSOLUTE_TIMEOUT, SESSION_IDLE_TIMEOUT } = getConfig()
  const credential = { kind: 'session', secret: token, lifetimeMs: SESSION_ABSOLUTE_TIMEOUT, idleMs: SESSION_IDLE_TIMEOUT } as const
  const opening = await openRequest(context, credential, params, api)
  const sessionId = hashSecret(token)
  const { session } = opening
  if (!opening.user || !session) {
    context.database.afterFinish(() => deleteEndedSession(sessionId, SESSION_ABSOLUTE_TIMEOUT))
    return null
  }
  const now = Date.now()
  if (now - session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS || session.expiresAt.getTime() - now < SESSION_IDLE_TIMEOUT / 2) {
    context.database.afterFinish(() => touchSession(sessionId, SESSION_IDLE_TIMEOUT))
  }
  context.database.afterFinish(() =>
    noticeClientChange(request, context, { sessionId, client: { userAgent: session.userAgent, changed: session.changedClient } }),
  )
  return { user: opening.user, sessionId }
}

/**
 * A valid session used from another client than the one that signed in —
 * another browser family or operating system; an update of either is the
 * same client — may be a stolen cookie. It is recorded as suspicious activity
 * once per change (the session remembers the last one), never refused:
 * people do move between devices with synced cookies.
 */
async function noticeClientChange(
  request: Request,
  context: AppLoadContext,
  session: { sessionId: string; client: { userAgent: string | null; changed: string | null } },
) {
  const client = clientFamily(request.headers.get('user-agent'))
  const signedInWith = clientFamily(session.client.userAgent)
  if (client === signedInWith || client === session.client.changed) return
  try {
    if (!(await noteSessionClientChange(session.sessionId, client))) return
    const path = new URL(request.url).pathname
    const observed = {
      ip: context.ip,
      endpoint: `${request.method} ${path}`,
      traceId: context.traceId,
      sessionId: session.sessionId,
      organization: organizationInPath(path),
    }
    await recordSecurityEvent(observed, [
      {
        ruleId: 'session-client-changed',
        type: 'SUSPICIOUS_ACTIVITY',
        severity: 'MEDIUM',
        location: 'header',
        field: 'user-agent',
        inName: false,
        sample: `signed in with ${signedInWith}, now used from ${client}`,
        blockable: false,
        blocked: false,
      },
    ])
  } catch (error) {
    context.logger.error({ err: error }, 'a session used from another client could not be recorded')
  }
}

async function validate(request: Request, context: AppLoadContext, params: RouteParams): Promise<SessionUser | null> {
  const token = readToken(request)
  if (!token) return null
  const valid = await validateSessionToken(token, request, context, params, false)
  if (!valid) context.appendSetCookie(serializeCookie(request, null))
  return valid?.user ?? null
}

/**
 * The signed-in user, or null. Resolved once per request, in the opening of
 * the request's transaction: `params` name what else it reads (see opening.server.ts).
 */
export function getUser(request: Request, context: AppLoadContext, params: RouteParams = {}): Promise<SessionUser | null> {
  return memoize(context, 'user', () => validate(request, context, params))
}

/** The signed-in user; otherwise a redirect to sign in that comes back here. */
export async function requireUser(request: Request, context: AppLoadContext, params: RouteParams = {}): Promise<SessionUser> {
  const user = await getUser(request, context, params)
  if (user) return user
  const url = new URL(request.url)
  const redirectTo = `${url.pathname}${url.search}`
  throw redirect(`/login?${new URLSearchParams({ redirectTo })}`)
}

/** Ends the current session on the server and returns the cookie that clears it. */
export async function destroySession(request: Request): Promise<string> {
  const sessionId = currentSessionId(request)
  if (sessionId) await lucia().invalidateSession(sessionId)
  return serializeCookie(request, null)
}

/**
 * Ends the user's other sessions: all but the one this request carries
 * ("sign out everywhere else", after a password change), or every one of
 * them (`keepCurrent: false`, after a password reset). Returns how many ended.
 */
export function signOutOtherSessions(
  request: Request,
  context: AppLoadContext,
  user: { id: string },
  options: { reason: string; keepCurrent: boolean },
): Promise<number> {
  const actor = { userId: user.id, ...clientOf(request, context) }
  return endOtherSessions(actor, options.keepCurrent ? currentSessionId(request) : null, options.reason)
}
