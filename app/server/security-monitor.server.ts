import type { NextFunction, Request, Response } from 'express'
import { sessionIdInCookies } from '~/auth/session.server'
import type { Config } from '~/lib/config.server'
import { recordSecurityEvent, type ObservedRequest } from '~/models/security-event.server'
import { waitText } from '~/rate-limit/policies'
import type { SecurityBlock, SecurityBlockStart } from '~/rate-limit/security-block.server'
import type { SecurityAlerts } from '~/security/alerts'
import type { SecurityCounters } from '~/security/metrics.server'
import { createProbeWatch, isWatchedStatus } from '~/security/probing.server'
import { bodyKind, organizationInPath, rawBody, requestParts, splitTarget, type RawBody } from '~/security/request-parts.server'
import { createScanner, type Scanner, type ScanOptions } from '~/security/scanner.server'
import { isBlocking, type Finding } from '~/security/types'
import { readBody } from './read-body.server'
import { sendRefusal } from './refusals.server'

/**
 * The security monitor as an express middleware, between the request context
 * and Remix: it scans what the attacker controls, records every finding
 * through the narrow privileged function, and answers HIGH and CRITICAL
 * findings itself with a 403 — a blocked request never reaches a route, so the
 * event row is the only database work it causes. An IP whose requests keep
 * being refused is blocked for a while (app/rate-limit/security-block.server.ts):
 * its requests get the 403 before anything is scanned or recorded.
 */

/** The body limit of the HTTP layer: larger declared bodies were refused before this point. */
const MAX_BODY_BYTES = 1024 * 1024

let sharedScanner: Scanner | undefined
/** One scanner per process, its regular expressions compiled before the first request. */
function scanner(): Scanner {
  if (!sharedScanner) {
    sharedScanner = createScanner()
    const warmUp = { maxValueChars: 1024, maxRequestChars: 4096, richTextFields: new Set<string>() }
    for (let run = 0; run < 3; run++) {
      sharedScanner.scan([{ location: 'body', field: 'q', value: "warm up ' or 1=1 <script> ../etc" }], warmUp)
    }
  }
  return sharedScanner
}

function observed(request: Request, response: Response): ObservedRequest {
  const { path } = splitTarget(request.originalUrl)
  return {
    ip: response.locals.context.ip,
    endpoint: `${request.method} ${path}`,
    traceId: response.locals.context.traceId,
    sessionId: sessionIdInCookies(request.headers.cookie, request.secure),
    organization: organizationInPath(path),
  }
}

function uninspectedBody(reason: string, ruleId = 'uninspected-body'): Finding {
  return {
    ruleId,
    type: 'SUSPICIOUS_ACTIVITY',
    severity: 'LOW',
    location: 'body',
    field: null,
    inName: false,
    sample: reason,
    blockable: false,
  }
}

/** The refused request that started a block of its IP: recorded once per block. */
function addressBlocked(start: SecurityBlockStart): Finding {
  return {
    ruleId: 'ip-blocked',
    type: 'SUSPICIOUS_ACTIVITY',
    severity: 'HIGH',
    location: 'request',
    field: null,
    inName: false,
    sample: `${start.strikes} refused requests within ${waitText(start.windowSeconds)}: address blocked for ${waitText(start.blockSeconds)}`,
    blockable: true,
  }
}

interface BodyOutcome {
  body?: RawBody
  finding?: Finding
  /** The body was empty and its stream has ended: the next reader must be told again. */
  ended?: boolean
}

/** The body as text when it is a kind the monitor reads; otherwise why it was not read. */
async function inspectableBody(request: Request): Promise<BodyOutcome> {
  const declared = request.headers['content-length']
  if (declared === '0' || (declared === undefined && request.headers['transfer-encoding'] === undefined)) return {}
  const kind = bodyKind(request.headers['content-type'])
  if (!kind) return { finding: uninspectedBody(`content-type: ${request.headers['content-type'] ?? 'none'}`.slice(0, 100)) }
  if (Number(declared) > MAX_BODY_BYTES) return { finding: uninspectedBody(`content-length: ${declared}`) }
  const read = await readBody(request, MAX_BODY_BYTES)
  const body = await rawBody(kind, read.bytes, request.headers['content-type']!)
  let finding: Finding | undefined
  if (read.truncated) finding = uninspectedBody(`body longer than ${MAX_BODY_BYTES} bytes`)
  else if (body.kind === 'multipart' && body.files) {
    finding = uninspectedBody(`contents of ${body.files} file${body.files === 1 ? '' : 's'} not scanned`, 'uninspected-file')
  }
  return { body, finding, ended: read.ended }
}

const REFUSAL = 'This request was refused because it looks like an attack.'

/** The 403 of a blocked request; while an IP is blocked, the same 403 saying for how long. */
function refuse(request: Request, response: Response, secondsBlocked?: number) {
  if (secondsBlocked === undefined) return sendRefusal(request, response, 'REQUEST_BLOCKED', REFUSAL)
  const message = `Requests from your network address are refused for ${waitText(secondsBlocked)}, because several of them looked like attacks.`
  sendRefusal(request, response, 'REQUEST_BLOCKED', message, {
    details: { retryAfterSeconds: secondsBlocked },
    headers: { 'Retry-After': String(secondsBlocked) },
  })
}

/**
 * `counters` are the process's security counters; `addressBlock` is the rate-limit store's block of IPs (null when rate
 * limiting is off): it refuses IPs that are blocked and counts the requests
 * this monitor refuses.
 */
export function securityMonitor(
  config: Config,
  counters: SecurityCounters,
  addressBlock: SecurityBlock | null = null,
  alerts: SecurityAlerts | null = null,
) {
  const scanOptions: ScanOptions = {
    maxValueChars: config.SECURITY_MAX_VALUE_CHARS,
    maxRequestChars: config.SECURITY_MAX_REQUEST_CHARS,
    richTextFields: new Set(config.SECURITY_RICH_TEXT_FIELDS),
  }
  const blocking = config.SECURITY_MODE === 'block'
  if (config.SECURITY_MODE !== 'off') scanner()
  const watchResponses = createProbeWatch()

  /** Records findings without failing the request they came from; HIGH and CRITICAL ones are mailed to operators. */
  const recordFindings = (request: Request, response: Response, findings: readonly Finding[], blocks: (finding: Finding) => boolean) => {
    for (const finding of findings) counters.countFinding(finding.type, finding.severity, finding.ruleId)
    const seen = observed(request, response)
    const events = findings.map((finding) => ({ ...finding, blocked: blocks(finding) }))
    alerts?.notify(
      events
        .filter((event) => isBlocking(event.severity))
        .map((event) => ({
          at: new Date(),
          type: event.type,
          severity: event.severity,
          rule: event.ruleId,
          ip: seen.ip,
          endpoint: seen.endpoint,
          traceId: seen.traceId,
          sample: event.sample,
          blocked: event.blocked,
        })),
    )
    return recordSecurityEvent(seen, events).catch((error: unknown) => request.log.error({ err: error }, 'security event could not be recorded'))
  }

  /** After the app answered: bursts of 404/403 and repeated denials from one IP. */
  const watchOutcome = (request: Request, response: Response) => {
    response.once('finish', () => {
      if (!isWatchedStatus(response.statusCode)) return
      const { path } = splitTarget(request.originalUrl)
      watchResponses({ ip: response.locals.context.ip, method: request.method, path, status: response.statusCode })
        .then((findings) => {
          if (!findings.length) return
          request.log.warn({ security: findings.map((f) => f.ruleId) }, 'suspicious activity recorded')
          return recordFindings(request, response, findings, () => false)
        })
        .catch((error: unknown) => request.log.error({ err: error }, 'suspicious activity could not be evaluated'))
    })
  }

  /** Seconds left of the client's block; a store that cannot answer blocks no one. */
  const blockedFor = (request: Request, ip: string) =>
    blocking && addressBlock
      ? addressBlock.blockedFor(ip).catch((error: unknown) => {
          request.log.error({ err: error }, 'IP block could not be checked')
          return null
        })
      : null

  /** A refused request is a strike against its IP: the finding of the block it starts, if any. */
  const strike = async (request: Request, ip: string): Promise<Finding | null> => {
    if (!addressBlock) return null
    try {
      const start = await addressBlock.strike(ip)
      return start && addressBlocked(start)
    } catch (error) {
      request.log.error({ err: error }, 'refused request could not be counted against its IP')
      return null
    }
  }

  return async function monitor(request: Request, response: Response, next: NextFunction) {
    if (config.SECURITY_MODE === 'off') return next()
    try {
      const ip = response.locals.context.ip
      // The body is read while the store answers; nothing is scanned or recorded for a blocked IP.
      const [secondsBlocked, outcome] = await Promise.all([blockedFor(request, ip), inspectableBody(request)])
      if (secondsBlocked !== null) {
        counters.countRequest({ blocked: true })
        return refuse(request, response, secondsBlocked)
      }
      const findings = scanner().scan(requestParts({ target: request.originalUrl, headers: request.headers, body: outcome.body }), scanOptions)
      if (outcome.finding) findings.push(outcome.finding)
      const blocks = (finding: Finding) => blocking && finding.blockable && isBlocking(finding.severity)
      const blocked = findings.some(blocks)
      counters.countRequest({ blocked })
      if (blocked) {
        const blockStarted = await strike(request, ip)
        if (blockStarted) findings.push(blockStarted)
      }
      if (findings.length) {
        request.log.warn(
          { security: findings.map((f) => ({ rule: f.ruleId, severity: f.severity, location: f.location, field: f.field })), blocked },
          blocked ? 'request blocked by the security monitor' : 'security findings recorded',
        )
        await recordFindings(request, response, findings, blocks)
      }
      if (blocked) return refuse(request, response)
      watchOutcome(request, response)
      next()
      // Remix subscribed to the body synchronously inside next(): repeat the end it missed.
      if (outcome.ended) request.emit('end')
    } catch (error) {
      next(error)
    }
  }
}
