/**
 * Regions (docs/decisions/017-regions.md). With PRIMARY_REGION set:
 *
 * - a machine in a replica region answers every request that writes with
 *   `fly-replay: region=<primary>` before any work (Fly's proxy then sends
 *   the request to the primary region), reads from its replica, and makes a
 *   request that carries its client's last write position wait until the
 *   replica has replayed it — or replays it to the primary after
 *   READ_YOUR_WRITES_WAIT_MS;
 * - a machine in the primary region leaves that position on every write's
 *   response: a short-lived cookie for browsers, a header for API clients;
 * - every response names the region and the database that served it.
 */
import type { NextFunction, Request, Response } from 'express'
import { inReplicaRegion, regionsOf, type Config, type Regions } from '~/lib/config.server'
import { decoded, redactPath, SECRET_LINKS } from '~/lib/paths'
import { appPoolProbe, readFromReplica, readsFromReplica, replicaRefusedWrite } from '~/models/db.server'
import { isWalPosition, primaryWalPosition, replayedPast } from '~/models/wal-position.server'
import { sendRefusal } from './refusals.server'

/** The cookie and header that carry a client's last write position (a pg_lsn). */
export const WAL_COOKIE = 'nextsaas_wal'
export const WAL_HEADER = 'x-wal-position'
/** Names the region and database that served a response: `region=iad; db=replica`. */
export const SERVED_BY_HEADER = 'x-served-by'

/** Long enough for any replica that is still serving (the ReplicaLag alert fires at 30 s). */
const WAL_COOKIE_SECONDS = 60

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Pages whose GET writes: a mailed link that verifies an address or changes
 * it, and an invitation link (its lookups count towards a lockout and may
 * record a security event). Their data requests (`…/token.data`) too. And the
 * audit log's export, on both doors: it writes its own audit row first.
 */
const WRITING_GETS = new RegExp(
  `^/(${SECRET_LINKS.verifyEmail}|${SECRET_LINKS.invitation})/|^/api/organizations/[^/]+/audit-logs/export$|^/orgs/[^/]+/audit/export$`,
)

/** Whether the request's work writes: every unsafe method, and the GETs above however their path is spelled. */
export function writes(req: Pick<Request, 'method' | 'path'>): boolean {
  return !SAFE_METHODS.has(req.method) || WRITING_GETS.test(decoded(req.path))
}

/** The write position the client presents: the API's header, else the cookie. */
function presentedPosition(req: Request): string | null {
  const header = req.headers[WAL_HEADER]
  if (typeof header === 'string') return isWalPosition(header) ? header : null
  const cookie = req.headers.cookie
    ?.split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${WAL_COOKIE}=`))
    ?.slice(WAL_COOKIE.length + 1)
  return isWalPosition(cookie) ? cookie : null
}

/**
 * Sends the request to the primary region: Fly's proxy follows `fly-replay`
 * whatever the status; a client that is not behind it gets the API's 409
 * envelope (or a page) saying where to go.
 */
function replay(req: Request, res: Response, regions: Regions, why: string) {
  req.log.info({ replay: regions.primary, why }, 'replayed to the primary region')
  sendRefusal(req, res, 'WRONG_REGION', `This request is served by the primary region (${regions.primary}); send it there.`, {
    details: { region: regions.primary, reason: why },
    headers: { 'fly-replay': `region=${regions.primary}`, [SERVED_BY_HEADER]: `region=${regions.here}; db=none` },
  })
}

/** 503 when the replica this region reads does not answer: never a stale or failing page passed off as an answer. */
function replicaUnavailable(req: Request, res: Response) {
  sendRefusal(req, res, 'UNAVAILABLE', "This region's database is not answering. Try again in a moment.", {
    headers: { 'Retry-After': '5' },
  })
}

/**
 * The request's route through the regions, early in the pipeline (after
 * static files, which need no database): before rate limits, body parsing
 * and the security monitor, so that a replayed write leaves nothing behind
 * in the replica region. Without PRIMARY_REGION it does nothing.
 */
export function routeByRegion(config: Config) {
  const regions = regionsOf(config)
  if (!regions) return (_req: Request, _res: Response, next: NextFunction) => next()
  const waitMs = config.READ_YOUR_WRITES_WAIT_MS
  if (!inReplicaRegion(config)) {
    return (_req: Request, res: Response, next: NextFunction) => {
      res.setHeader(SERVED_BY_HEADER, `region=${regions.here}; db=primary`)
      next()
    }
  }
  return async (req: Request, res: Response, next: NextFunction) => {
    if (writes(req)) return replay(req, res, regions, 'writes')
    const position = presentedPosition(req)
    let waited = ''
    if (position) {
      const started = performance.now()
      let reached: boolean
      try {
        reached = await readFromReplica(() => replayedPast(position, waitMs))
      } catch (error) {
        req.log.error({ err: error }, 'replica did not answer')
        return replicaUnavailable(req, res)
      }
      if (!reached) return replay(req, res, regions, 'replica behind the last write')
      waited = `; waited=${Math.round(performance.now() - started)}ms`
    }
    res.setHeader(SERVED_BY_HEADER, `region=${regions.here}; db=replica${waited}`)
    readFromReplica(next)
  }
}

/**
 * After the request's transaction has committed, on a write in the primary
 * region: the primary's WAL position, for the client's next reads elsewhere.
 */
export async function leaveWritePosition(req: Request, res: Response, config: Config): Promise<void> {
  if (!regionsOf(config) || inReplicaRegion(config) || !writes(req)) return
  const position = await primaryWalPosition()
  res.setHeader(WAL_HEADER, position)
  // Secure wherever the session cookie is; only this app reads it.
  const secure = config.NODE_ENV === 'production' || req.secure ? '; Secure' : ''
  res.append('Set-Cookie', `${WAL_COOKIE}=${position}; Max-Age=${WAL_COOKIE_SECONDS}; Path=/; HttpOnly; SameSite=Lax${secure}`)
}

/**
 * A failure while reading from a replica, answered instead of whatever the
 * failure rendered: a write the replica refused (a GET that writes, unknown
 * to WRITING_GETS) is replayed to the primary and logged as an error to fix;
 * a replica that does not answer is a clear 503. Resolves to whether it
 * answered.
 */
export async function answerReplicaFailure(req: Request, res: Response, config: Config): Promise<boolean> {
  if (!readsFromReplica() || res.headersSent) return false
  if (replicaRefusedWrite()) {
    req.log.error({ path: redactPath(req.path) }, 'a read tried to write on the replica: add its path to the GETs that write')
    replay(req, res, regionsOf(config)!, 'tried to write')
    return true
  }
  if (
    await appPoolProbe()
      .ping()
      .then(
        () => true,
        () => false,
      )
  )
    return false
  replicaUnavailable(req, res)
  return true
}
