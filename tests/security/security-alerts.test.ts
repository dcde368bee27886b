/**
 * SECURITY_ALERT_EMAILS: HIGH and CRITICAL security events and brute-force
 * lockouts reach the operators by mail, gathered into one message, each
 * message spending the operator's account-mail allowance.
 */
import { expect, test } from 'vitest'
import { devMailboxMessages } from '~/mail/mailer.server'
import { Client, uniqueEmail } from '../utils/app'
import { setupApp } from '../utils/fixture'

const operator = uniqueEmail('operator')
const ctx = setupApp({
  SECURITY_ALERT_EMAILS: [operator],
  RATE_LIMIT_STORE: 'memory',
  RATE_LIMIT_MAILS_PER_HOUR: 2,
  RATE_LIMIT_INVITATION_FAILURES: 2,
  TRUST_PROXY: 1,
})

const mailsToOperator = () => devMailboxMessages().filter((m) => m.to === operator)
const flush = () => ctx.app.services.securityAlerts!.flush()
const from = (ip: string) => new Client(ctx.origin, { 'x-forwarded-for': ip })

test('a refused attack and a lockout arrive together in one message, with their references', async () => {
  const attack = await from('203.0.113.70').get('/login?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E')
  expect(attack.status).toBe(403)
  const lockedOut = from('203.0.113.71')
  expect((await lockedOut.get(`/invitations/${'u'.repeat(43)}`)).status).toBe(404)
  const lock = await lockedOut.get(`/invitations/${'v'.repeat(43)}`)
  expect(lock.status, 'the second failure starts the lock').toBe(429)
  expect(mailsToOperator(), 'nothing is sent before the batch is due').toEqual([])

  await flush()
  const [mail, ...rest] = mailsToOperator()
  expect(rest).toEqual([])
  expect(mail!.subject).toMatch(/^NextSaaS security alert: \d+ events \(CRITICAL\)$/)
  expect(mail!.text).toContain('XSS_ATTEMPT')
  expect(mail!.text).toContain(attack.headers.get('x-request-id')!)
  expect(mail!.text).toContain('BRUTE_FORCE')
  expect(mail!.text).toContain('invitation-consecutive')
  expect(mail!.text).toContain(lock.headers.get('x-request-id')!)
  expect(mail!.text).toContain('203.0.113.71')
})

test('LOW and MEDIUM findings are not mailed', async () => {
  const before = mailsToOperator().length
  // A file upload is recorded as LOW `uninspected-file`.
  const form = new FormData()
  form.append('file', new Blob(['hello']), 'hello.txt')
  await from('203.0.113.72').request('/login', { method: 'POST', body: form })
  await flush()
  expect(mailsToOperator().length).toBe(before)
})

test('once the operator’s mail allowance is spent, alerts wait instead of being sent', async () => {
  const sent = mailsToOperator().length
  const attack = () => from('203.0.113.73').get(`/login?q=${encodeURIComponent("' or 1=1 --")}`)
  expect((await attack()).status).toBe(403)
  await flush()
  expect(mailsToOperator().length, 'the second message of the hour').toBe(sent + 1)
  expect((await attack()).status).toBe(403)
  await flush()
  expect(mailsToOperator().length, 'the allowance (2 an hour) is spent: nothing more').toBe(sent + 1)
})
