/**
 * The one way the app sends mail. With MAIL_API_URL set, a message is a JSON
 * POST to an HTTP provider (Resend's shape: from, to[], subject, text, with a
 * bearer key). Without it, outside production, the message is kept in memory
 * for the dev mailbox page (/dev/mailbox) and written to the server log with
 * its links' tokens redacted.
 */
import type { Logger } from 'pino'
import { appUrl, getConfig, type Config } from '~/lib/config.server'
import { redactText } from '~/lib/paths'

export interface Email {
  to: string
  subject: string
  text: string
}

export interface StoredEmail extends Email {
  id: number
  from: string
  sentAt: Date
}

const MAILBOX_SIZE = 100
const PROVIDER_TIMEOUT_MS = 10_000

// On globalThis: the Remix build and code loaded beside it (tests, scripts)
// each hold their own copy of this module but must share one mailbox.
const shared = globalThis as unknown as { __nextsaasMailbox?: StoredEmail[] }
const mailbox = () => (shared.__nextsaasMailbox ??= [])

export function devMailboxEnabled(cfg: Config = getConfig()): boolean {
  return !cfg.MAIL_API_URL && cfg.NODE_ENV !== 'production'
}

/** Messages kept by the dev mailbox, newest first. */
export function devMailboxMessages(): readonly StoredEmail[] {
  return [...mailbox()].reverse()
}

/** An absolute link into the app, on APP_URL (never on the request's Host header). */
export function appLink(pathname: string): string {
  return `${appUrl(getConfig())}${pathname}`
}

async function postToProvider(cfg: Config & { MAIL_API_URL: string }, email: Email) {
  const response = await fetch(cfg.MAIL_API_URL, {
    method: 'POST',
    headers: { authorization: `Bearer ${cfg.MAIL_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ from: cfg.MAIL_FROM, to: [email.to], subject: email.subject, text: email.text }),
    signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
  })
  if (!response.ok) throw new Error(`mail provider answered ${response.status} ${response.statusText}`)
}

export async function sendEmail(email: Email, logger: Logger): Promise<void> {
  const cfg = getConfig()
  if (cfg.MAIL_API_URL) {
    await postToProvider({ ...cfg, MAIL_API_URL: cfg.MAIL_API_URL }, email)
    logger.info({ subject: email.subject }, 'email sent')
    return
  }
  if (!devMailboxEnabled(cfg)) {
    // Production without a provider: the body holds live links, so it stays out of the log.
    throw new Error('no mail provider configured (set MAIL_API_URL and MAIL_API_KEY)')
  }
  const messages = mailbox()
  messages.push({ ...email, id: (messages.at(-1)?.id ?? 0) + 1, from: cfg.MAIL_FROM, sentAt: new Date() })
  if (messages.length > MAILBOX_SIZE) messages.shift()
  // The log is read by more people than the mailbox: its links' tokens are redacted there.
  logger.info({ to: email.to, subject: email.subject, text: redactText(email.text) }, 'email kept in the dev mailbox (/dev/mailbox)')
}
