/**
 * Sessions, behind one module. Lucia v3 (unmaintained upstream) is used only
 * here: replacing it with the Lucia guide's own code is a change to this file.
 *
 * The cookie carries a random token; the database stores only its SHA-256 as
 * the session id, so a leaked sessions table yields no usable session.
 */
import { createHash, randomBytes } from 'node:crypto'
import { NodePostgresAdapter } from '@lucia-auth/adapter-postgresql'
import { redirect, type AppLoadContext } from '@remix-run/node'
import { Lucia, TimeSpan } from 'lucia'
import pg from 'pg'
import { appDatabaseUrl, getConfig } from '~/utils/config.server'
import { memoize } from '~/utils/request-context'

export interface SessionUser {
  id: string
  email: string
  name: string
}

function createLucia() {
  // Lucia's adapter talks to its own small pg pool, logged in as the app role
  // and acting as nextsaas_auth, the only role that can see sessions.
  const pool = new pg.Pool({
    connectionString: appDatabaseUrl(getConfig()),
    options: '-c role=nextsaas_auth',
    max: 4,
  })
  const adapter = new NodePostgresAdapter(pool, { user: 'auth.users', session: 'auth.sessions' })
  return new Lucia(adapter, {
    sessionExpiresIn: new TimeSpan(getConfig().SESSION_DAYS, 'd'),
    sessionCookie: { name: 'nextsaas_session', expires: true, attributes: { sameSite: 'lax', secure: false } },
    getUserAttributes: (attributes) => ({ email: attributes.email, name: attributes.name }),
  })
}

declare module 'lucia' {
  interface Register {
    Lucia: ReturnType<typeof createLucia>
    DatabaseUserAttributes: { email: string; name: string }
    DatabaseSessionAttributes: { ip_address: string | null; user_agent: string | null }
  }
}

const globalForLucia = globalThis as unknown as { __nextsaasLucia?: ReturnType<typeof createLucia> }
function lucia() {
  globalForLucia.__nextsaasLucia ??= createLucia()
  return globalForLucia.__nextsaasLucia
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')

function isHttps(request: Request) {
  return new URL(request.url).protocol === 'https:'
}

function serializeCookie(request: Request, token: string | null) {
  const cookie = token === null ? lucia().createBlankSessionCookie() : lucia().createSessionCookie(token)
  cookie.attributes.secure = isHttps(request)
  return cookie.serialize()
}

/** Starts a new session (never reuses one: no fixation) and returns its Set-Cookie value. */
export async function createSession(request: Request, userId: string, client: { ip?: string }): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  await lucia().createSession(
    userId,
    { ip_address: client.ip ?? null, user_agent: request.headers.get('user-agent')?.slice(0, 512) ?? null },
    { sessionId: hashToken(token) },
  )
  return serializeCookie(request, token)
}

function readToken(request: Request) {
  return lucia().readSessionCookie(request.headers.get('cookie') ?? '')
}

async function validate(request: Request, context: AppLoadContext): Promise<SessionUser | null> {
  const token = readToken(request)
  if (!token) return null
  const { session, user } = await lucia().validateSession(hashToken(token))
  if (!session) {
    context.appendSetCookie(serializeCookie(request, null))
    return null
  }
  // Lucia extends a session once half its lifetime has passed; renew the cookie too.
  if (session.fresh) context.appendSetCookie(serializeCookie(request, token))
  return { id: user.id, email: user.email, name: user.name }
}

/** The signed-in user, or null. Resolved once per request. */
export function getUser(request: Request, context: AppLoadContext): Promise<SessionUser | null> {
  return memoize(context, 'user', () => validate(request, context))
}

/** The signed-in user; otherwise a redirect to sign in that comes back here. */
export async function requireUser(request: Request, context: AppLoadContext): Promise<SessionUser> {
  const user = await getUser(request, context)
  if (user) return user
  const url = new URL(request.url)
  const redirectTo = `${url.pathname}${url.search}`
  throw redirect(`/login?${new URLSearchParams({ redirectTo })}`)
}

/** Ends the current session on the server and returns the cookie that clears it. */
export async function destroySession(request: Request): Promise<string> {
  const token = readToken(request)
  if (token) await lucia().invalidateSession(hashToken(token))
  return serializeCookie(request, null)
}
