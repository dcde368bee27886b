/**
 * Operators' security alerts (SECURITY_ALERT_EMAILS): what arrives within
 * SECURITY_ALERT_BATCH_SECONDS of the first alert goes out as one message per
 * operator. Each message spends that operator's account-mail allowance
 * (RATE_LIMIT_MAILS_PER_HOUR, the limit every account email meets); while it
 * is spent, alerts wait for a later message. An operator's queue keeps the
 * first MAX_QUEUED alerts and counts the rest.
 */
import type { Logger } from 'pino'
import { appUrl, type Config } from '~/lib/config.server'
import { redactPath, redactText } from '~/lib/paths'
import type { RateLimits } from '~/rate-limit/limits.server'
import type { SecurityAlert, SecurityAlerts } from '~/security/alerts'
import { sendEmail } from './mailer.server'

const MAX_QUEUED = 100
const SEVERITY_ORDER = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']

interface Queue {
  alerts: SecurityAlert[]
  /** Alerts beyond MAX_QUEUED, counted only. */
  more: number
}

function line(alert: SecurityAlert): string {
  const endpoint = alert.endpoint.replace(/ (\S+)$/, (_, path: string) => ` ${redactPath(path)}`)
  return [
    `${alert.at.toISOString()}  ${alert.severity}  ${alert.type}  ${alert.rule}${alert.blocked ? ' (refused)' : ''}`,
    `  from ${alert.ip || 'unknown address'}: ${endpoint}  reference ${alert.traceId}`,
    `  ${redactText(alert.sample).slice(0, 160)}`,
  ].join('\n')
}

function message(config: Config, queue: Queue) {
  const worst = queue.alerts.reduce((a, b) => (SEVERITY_ORDER.indexOf(b.severity) > SEVERITY_ORDER.indexOf(a) ? b.severity : a), 'LOW')
  const count = queue.alerts.length + queue.more
  return {
    subject: `NextSaaS security alert: ${count} event${count === 1 ? '' : 's'} (${worst})`,
    text: [
      `Security events on ${appUrl(config)} that operators are told about (HIGH and CRITICAL findings, brute-force lockouts):`,
      '',
      ...queue.alerts.map(line),
      ...(queue.more ? ['', `… and ${queue.more} more.`] : []),
      '',
      `All events: ${appUrl(config)}/security · what to do: docs/operations.md (SecurityBlocks, BruteForceLockoutSpike).`,
    ].join('\n'),
  }
}

export interface SecurityAlertMailer extends SecurityAlerts {
  /** Sends what is queued now (the batch timer calls it). */
  flush(): Promise<void>
  /** Stops the timer after sending what is queued. */
  close(): Promise<void>
}

/** The process's alert mailer, or null when nobody is to be told. */
export function createSecurityAlerts(config: Config, rateLimits: RateLimits | null, logger: Logger): SecurityAlertMailer | null {
  if (config.SECURITY_ALERT_EMAILS.length === 0) return null
  const queues = new Map<string, Queue>(config.SECURITY_ALERT_EMAILS.map((to) => [to, { alerts: [], more: 0 }]))
  let timer: NodeJS.Timeout | null = null
  const pending = () => [...queues.values()].some((queue) => queue.alerts.length > 0)

  const schedule = () => {
    timer ??= setTimeout(() => void flush(), config.SECURITY_ALERT_BATCH_SECONDS * 1000).unref()
  }

  async function send(to: string, queue: Queue) {
    const allowance = await rateLimits?.mail(to)
    if (allowance?.limited) {
      if (allowance.firstRefusal) logger.warn({ to }, 'security alerts wait: the mail limit of this operator is spent')
      return
    }
    const { subject, text } = message(config, queue)
    await sendEmail({ to, subject, text }, logger)
    queue.alerts = []
    queue.more = 0
  }

  async function flush() {
    if (timer) clearTimeout(timer)
    timer = null
    await Promise.all(
      [...queues]
        .filter(([, queue]) => queue.alerts.length > 0)
        .map(([to, queue]) => send(to, queue).catch((error: unknown) => logger.error({ err: error, to }, 'security alert mail failed'))),
    )
    if (pending()) schedule()
  }

  return {
    notify(alerts) {
      if (alerts.length === 0) return
      for (const queue of queues.values()) {
        const room = Math.max(0, MAX_QUEUED - queue.alerts.length)
        queue.alerts.push(...alerts.slice(0, room))
        queue.more += Math.max(0, alerts.length - room)
      }
      schedule()
    },
    flush,
    async close() {
      await flush()
      if (timer) clearTimeout(timer)
      timer = null
    },
  }
}
