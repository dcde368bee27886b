import { pino } from 'pino'
import { expect, test, vi } from 'vitest'
import { parseConfig } from '~/lib/config.server'
import { devMailboxEnabled, sendEmail } from '~/mail/mailer.server'
import { signedUpClient } from '../utils/app'
import { setupApp } from '../utils/fixture'
import { MAIL_API_KEY, MAIL_API_URL } from '../utils/mail'

// No MAIL_API_URL here: the default, development-style mail path.
const ctx = setupApp()

test('without a provider, mail is kept in the dev mailbox, escaped, with its links clickable', async () => {
  await sendEmail(
    { to: 'reader@example.test', subject: 'Hello <b>there</b>', text: 'Open http://localhost:3000/reset-password/abc123 to go on.' },
    pino({ level: 'silent' }),
  )
  const page = await fetch(new URL('/dev/mailbox', ctx.origin))
  expect(page.status).toBe(200)
  const html = await page.text()
  expect(html).toContain('reader@example.test')
  expect(html).toContain('Hello &lt;b&gt;there&lt;/b&gt;')
  expect(html).toContain('href="http://localhost:3000/reset-password/abc123"')
})

const config = (env: Record<string, string>) => parseConfig(env as NodeJS.ProcessEnv)

test('the dev mailbox exists only without a provider and outside production', () => {
  expect(devMailboxEnabled(config({}))).toBe(true)
  expect(devMailboxEnabled(config({ MAIL_API_URL, MAIL_API_KEY }))).toBe(false)
  expect(
    devMailboxEnabled(
      config({
        NODE_ENV: 'production',
        APP_URL: 'https://app.example.test',
        APP_DATABASE_URL: 'postgres://nextsaas_app:a-production-secret@db/nextsaas',
      }),
    ),
  ).toBe(false)
})

test('a provider URL without its key is a configuration error', () => {
  expect(() => config({ MAIL_API_URL })).toThrow(/MAIL_API_KEY: required when MAIL_API_URL is set/)
})

test('by default, sign-up leaves the verification link in the dev mailbox', async () => {
  const { email } = await signedUpClient(ctx.origin)
  await vi.waitFor(async () => {
    const html = await (await fetch(new URL('/dev/mailbox', ctx.origin))).text()
    expect(html).toContain(email)
    expect(html).toMatch(/href="http:\/\/localhost:3000\/verify-email\/[\w-]{43}"/)
  })
})
