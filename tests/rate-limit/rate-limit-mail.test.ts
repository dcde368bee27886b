/**
 * Account emails have an hourly allowance per recipient, whoever asks and
 * whether or not the address has an account: a reset link, a new
 * verification link or a confirmation to a new address cannot be used to
 * flood an inbox. Resending invitations spends the organization's invite
 * allowance.
 */
import { afterAll, expect, test, vi } from 'vitest'
import { devMailboxMessages } from '~/mail/mailer.server'
import { Client, PASSWORD, signedUpClient, uniqueEmail } from '../utils/app'
import { setupApp } from '../utils/fixture'
import { until, uniquePrefix } from '../utils/rate-limit'

vi.stubEnv('RATE_LIMIT_STORE', 'postgres')
vi.stubEnv('RATE_LIMIT_KEY_PREFIX', uniquePrefix('mail'))
vi.stubEnv('RATE_LIMIT_MAILS_PER_HOUR', '2')

const ctx = setupApp({ TRUST_PROXY: 1 })
afterAll(() => vi.unstubAllEnvs())

const resetMailsTo = (email: string) => devMailboxMessages().filter((m) => m.to === email && m.text.includes('/reset-password/')).length
const forgot = (email: string, ip: string) => new Client(ctx.origin, { 'x-forwarded-for': ip }).post('/forgot-password', { email })

test('reset links to one address stop at its allowance, from any address and for unknown accounts alike', async () => {
  const { email } = await signedUpClient(ctx.origin, 'Flooded Inbox')
  expect((await forgot(email, '203.0.113.60')).status).toBe(302)
  expect((await forgot(email.toUpperCase(), '203.0.113.61')).status, 'the address, not its spelling').toBe(302)
  await until(async () => resetMailsTo(email) === 2)
  const refused = await forgot(email, '203.0.113.62')
  expect(refused.status).toBe(429)
  expect(refused.headers.get('ratelimit-policy')).toBe('"mail";q=2;w=3600')
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3500)
  expect(await refused.text()).toContain('Too many emails have been sent to this address.')
  expect(resetMailsTo(email), 'the refusal sent nothing').toBe(2)

  const nobody = uniqueEmail('nobody')
  for (let i = 0; i < 2; i++) expect((await forgot(nobody, '203.0.113.63')).status).toBe(302)
  expect((await forgot(nobody, '203.0.113.63')).status, 'the same answer whether or not the account exists').toBe(429)
  expect((await forgot(uniqueEmail('other'), '203.0.113.62')).status, 'other addresses keep their allowance').toBe(302)
})

test('new verification links and email-change confirmations spend the same allowance', async () => {
  const user = await signedUpClient(ctx.origin, 'Verify Again')
  // Sign-up sent the first verification mail without spending the allowance.
  expect((await user.post('/verify-email/resend', {})).status).toBe(302)
  expect((await user.post('/verify-email/resend', {})).status).toBe(302)
  expect((await user.post('/verify-email/resend', {})).status).toBe(429)

  const target = uniqueEmail('target')
  for (let i = 0; i < 2; i++) expect((await user.post('/account/email', { email: target, currentPassword: PASSWORD })).status).toBe(302)
  expect((await user.post('/account/email', { email: target, currentPassword: PASSWORD })).status).toBe(429)
})
