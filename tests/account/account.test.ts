/**
 * The account flows over HTTP, with the HTTP mail provider played by msw:
 * forgot/reset password, email verification, change of password and email.
 */
import { createHash } from 'node:crypto'
import { pino } from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { sendEmail } from '~/mail/mailer.server'
import { Client, PASSWORD, signedUpClient, uniqueEmail } from '../utils/app'
import { setupApp } from '../utils/fixture'
import { configureMailProvider, linkPath, mailProvider, MAIL_API_KEY } from '../utils/mail'

configureMailProvider()
const provider = mailProvider()
const NEW_PASSWORD = 'violet lantern orbit meadow'

beforeAll(() => provider.listen())
afterAll(() => provider.close())
const ctx = setupApp()
beforeEach(() => provider.failNextWith(undefined))

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex')
const settle = () => new Promise((resolve) => setTimeout(resolve, 300))

async function canSignIn(email: string, password: string) {
  const response = await new Client(ctx.origin).post('/login', { email, password })
  return response.status === 302
}

async function signedIn(client: Client) {
  return (await client.get('/account')).status === 200
}

describe('the HTTP mail provider', () => {
  test('gets a JSON POST with sender, recipient, subject, text and the bearer key', async () => {
    await sendEmail({ to: 'someone@example.test', subject: 'Hi', text: 'Body' }, pino({ level: 'silent' }))
    const message = await provider.waitFor('someone@example.test', /^Hi$/)
    expect(message).toMatchObject({
      from: 'NextSaaS <no-reply@nextsaas.dev>',
      to: ['someone@example.test'],
      text: 'Body',
      authorization: `Bearer ${MAIL_API_KEY}`,
    })
  })

  test('a refused message is an error, not a silent drop', async () => {
    provider.failNextWith(500)
    await expect(sendEmail({ to: 'x@example.test', subject: 'Hi', text: 'Body' }, pino({ level: 'silent' }))).rejects.toThrow(/500/)
  })
})

async function requestReset(email: string) {
  const response = await new Client(ctx.origin).post('/forgot-password', { email })
  expect(response.status).toBe(302)
  expect(response.headers.get('location')).toBe('/forgot-password?sent=1')
  return linkPath(await provider.waitFor(email, /Reset your NextSaaS password/), '/reset-password/')
}

describe('forgot and reset password', () => {
  test('mails a one-hour link whose token is stored only as a hash', async () => {
    const { email } = await signedUpClient(ctx.origin)
    const link = await requestReset(email)
    expect(link).toMatch(/^\/reset-password\/[\w-]{43}$/)
    const token = link.split('/').pop()!
    const { rows } = await ctx.admin.query(
      `select token_hash, extract(epoch from expires_at - created_at)::int as seconds from auth.account_tokens where token_hash = $1 or token_hash = $2`,
      [token, sha256(token)],
    )
    expect(rows).toEqual([{ token_hash: sha256(token), seconds: 3600 }])
    expect((await provider.waitFor(email, /Reset/)).text).toContain('within 1 hour')
  })

  test('answers the same whether or not the account exists, and mails only a real account', async () => {
    const { email } = await signedUpClient(ctx.origin)
    const ghost = uniqueEmail('ghost')
    const [real, unknown] = await Promise.all([
      new Client(ctx.origin).post('/forgot-password', { email }),
      new Client(ctx.origin).post('/forgot-password', { email: ghost }),
    ])
    expect([real.status, real.headers.get('location'), await real.text()]).toEqual([
      unknown.status,
      unknown.headers.get('location'),
      await unknown.text(),
    ])
    await provider.waitFor(email, /Reset/)
    await settle()
    expect(provider.sentTo(ghost)).toEqual([])
  })

  test('the link sets a new password, signs this browser in and every other session out', async () => {
    const owner = await signedUpClient(ctx.origin)
    const link = await requestReset(owner.email)
    const browser = new Client(ctx.origin)
    const form = await browser.get(link)
    expect(form.status).toBe(200)
    expect(await form.text()).toContain('Choose a new password')

    const response = await browser.post(link, { password: NEW_PASSWORD })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('/account?password=reset')
    expect(await signedIn(browser)).toBe(true)
    expect(await signedIn(owner)).toBe(false)
    expect(await canSignIn(owner.email, PASSWORD)).toBe(false)
    expect(await canSignIn(owner.email, NEW_PASSWORD)).toBe(true)
  })

  test('a used link does not work again', async () => {
    const { email } = await signedUpClient(ctx.origin)
    const link = await requestReset(email)
    expect((await new Client(ctx.origin).post(link, { password: NEW_PASSWORD })).status).toBe(302)
    const again = await new Client(ctx.origin).get(link)
    expect(again.status).toBe(410)
    expect(await again.text()).toContain('This link no longer works')
    const reuse = await new Client(ctx.origin).post(link, { password: 'another fresh passphrase here' })
    expect(reuse.status).toBe(410)
    expect(reuse.headers.getSetCookie()).toEqual([])
    expect(await canSignIn(email, NEW_PASSWORD)).toBe(true)
  })

  test('an expired link does not work', async () => {
    const { email } = await signedUpClient(ctx.origin)
    const link = await requestReset(email)
    await ctx.admin.query(`update auth.account_tokens set expires_at = now() - interval '1 second' where token_hash = $1`, [
      sha256(link.split('/').pop()!),
    ])
    expect((await new Client(ctx.origin).get(link)).status).toBe(410)
    expect((await new Client(ctx.origin).post(link, { password: NEW_PASSWORD })).status).toBe(410)
    expect(await canSignIn(email, PASSWORD)).toBe(true)
  })

  test('a newer link replaces an older one', async () => {
    const { email } = await signedUpClient(ctx.origin)
    const first = await requestReset(email)
    const before = provider.sentTo(email).length
    await new Client(ctx.origin).post('/forgot-password', { email })
    await expect.poll(() => provider.sentTo(email).length).toBe(before + 1)
    const second = linkPath(provider.sentTo(email).at(-1)!, '/reset-password/')
    expect(second).not.toBe(first)
    expect((await new Client(ctx.origin).get(first)).status).toBe(410)
    expect((await new Client(ctx.origin).get(second)).status).toBe(200)
  })

  test('a made-up token is refused', async () => {
    expect((await new Client(ctx.origin).get('/reset-password/not-a-real-token')).status).toBe(410)
    expect((await new Client(ctx.origin).post('/reset-password/not-a-real-token', { password: NEW_PASSWORD })).status).toBe(410)
  })

  test('a bad new password is a field error and leaves the link usable', async () => {
    const { email } = await signedUpClient(ctx.origin)
    const link = await requestReset(email)
    const response = await new Client(ctx.origin).post(link, { password: 'short' })
    expect(response.status).toBe(422)
    const html = await response.text()
    expect(html).toContain('Use at least 12 characters')
    expect(html).not.toContain('value="short"')
    expect((await new Client(ctx.origin).post(link, { password: NEW_PASSWORD })).status).toBe(302)
  })

  test('a malformed address is a field error that keeps what was typed', async () => {
    const response = await new Client(ctx.origin).post('/forgot-password', { email: 'not-an-address' })
    expect(response.status).toBe(422)
    const html = await response.text()
    expect(html).toContain('Enter a valid email address')
    expect(html).toContain('value="not-an-address"')
  })

  test('a filled honeypot gets the usual answer and no mail', async () => {
    const { email } = await signedUpClient(ctx.origin)
    const response = await new Client(ctx.origin).post('/forgot-password', { email, website: 'http://spam.example' })
    expect(response.headers.get('location')).toBe('/forgot-password?sent=1')
    await settle()
    expect(provider.sentTo(email).filter((m) => /Reset/.test(m.subject))).toEqual([])
  })
})

async function verificationLink(email: string) {
  return linkPath(await provider.waitFor(email, /Verify your email address/), '/verify-email/')
}

const BANNER = 'Please verify your email address'

describe('email verification', () => {
  test('sign-up mails a link; until it is opened the user works as usual under a banner', async () => {
    const client = await signedUpClient(ctx.origin)
    const link = await verificationLink(client.email)
    expect(link).toMatch(/^\/verify-email\/[\w-]{43}$/)
    const before = await client.get('/orgs')
    expect(before.status).toBe(200)
    expect(await before.text()).toContain(BANNER)

    const opened = await new Client(ctx.origin).get(link)
    expect(opened.status).toBe(200)
    expect(await opened.text()).toContain('Your email address is verified')
    expect(await (await client.get('/orgs')).text()).not.toContain(BANNER)
    const { rows } = await ctx.admin.query('select email_verified_at from auth.users where email = $1', [client.email])
    expect(rows[0].email_verified_at).toBeInstanceOf(Date)
  })

  test('a verification link works once', async () => {
    const client = await signedUpClient(ctx.origin)
    const link = await verificationLink(client.email)
    expect((await client.get(link)).status).toBe(200)
    const again = await client.get(link)
    expect(again.status).toBe(410)
    expect(await again.text()).toContain('This link no longer works')
  })

  test('an expired verification link does not verify', async () => {
    const client = await signedUpClient(ctx.origin)
    const link = await verificationLink(client.email)
    await ctx.admin.query(`update auth.account_tokens set expires_at = now() - interval '1 second' where token_hash = $1`, [
      sha256(link.split('/').pop()!),
    ])
    expect((await client.get(link)).status).toBe(410)
    expect(await (await client.get('/orgs')).text()).toContain(BANNER)
  })

  test('a new link can be asked for, and replaces the old one', async () => {
    const client = await signedUpClient(ctx.origin)
    const first = await verificationLink(client.email)
    const response = await client.post('/verify-email/resend', {})
    expect(response.headers.get('location')).toBe('/account?email=sent')
    await expect.poll(() => provider.sentTo(client.email).length).toBe(2)
    const second = linkPath(provider.sentTo(client.email).at(-1)!, '/verify-email/')
    expect((await client.get(first)).status).toBe(410)
    expect((await client.get(second)).status).toBe(200)
    // Verified now: asking again sends nothing.
    expect((await client.post('/verify-email/resend', {})).headers.get('location')).toBe('/account')
    await settle()
    expect(provider.sentTo(client.email)).toHaveLength(2)
  })

  test('asking for a new link needs a signed-in user', async () => {
    const response = await new Client(ctx.origin).post('/verify-email/resend', {})
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toMatch(/^\/login/)
  })

  test('a sign-up with the honeypot filled creates no account', async () => {
    const email = uniqueEmail('bot')
    const response = await new Client(ctx.origin).post('/signup', { name: 'Bot', email, password: PASSWORD, website: 'http://spam.example' })
    expect(response.status).toBe(422)
    const { rows } = await ctx.admin.query('select 1 from auth.users where email = $1', [email])
    expect(rows).toEqual([])
  })
})

describe('change password', () => {
  test('needs the current password, keeps this session and signs out the others', async () => {
    const client = await signedUpClient(ctx.origin)
    const other = new Client(ctx.origin)
    await other.post('/login', { email: client.email, password: PASSWORD })

    const wrong = await client.post('/account/password', { currentPassword: 'not my password at all', newPassword: NEW_PASSWORD })
    expect(wrong.status).toBe(422)
    const html = await wrong.text()
    expect(html).toContain('That is not your current password.')
    expect(html).not.toContain(NEW_PASSWORD)
    expect(await canSignIn(client.email, PASSWORD)).toBe(true)

    const response = await client.post('/account/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('/account?password=changed')
    expect(await signedIn(client)).toBe(true)
    expect(await signedIn(other)).toBe(false)
    expect(await canSignIn(client.email, PASSWORD)).toBe(false)
    expect(await canSignIn(client.email, NEW_PASSWORD)).toBe(true)
  })

  test('refuses an easily guessed new password with a clear message', async () => {
    const client = await signedUpClient(ctx.origin)
    const response = await client.post('/account/password', { currentPassword: PASSWORD, newPassword: 'Password123!' })
    expect(response.status).toBe(422)
    expect(await response.text()).toContain('This password is too easy to guess.')
    expect(await canSignIn(client.email, PASSWORD)).toBe(true)
  })

  test('needs a signed-in user', async () => {
    const response = await new Client(ctx.origin).post('/account/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toMatch(/^\/login/)
  })
})

describe('change email', () => {
  test('moves the account only once the new address confirms, and tells the old one', async () => {
    const client = await signedUpClient(ctx.origin)
    const newEmail = uniqueEmail('moved')
    const response = await client.post('/account/email', { email: newEmail.toUpperCase(), currentPassword: PASSWORD })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('/account?email=requested')
    const link = linkPath(await provider.waitFor(newEmail, /Confirm your new email address/), '/verify-email/')
    expect(await canSignIn(client.email, PASSWORD)).toBe(true)
    expect(await canSignIn(newEmail, PASSWORD)).toBe(false)

    const opened = await client.get(link)
    expect(opened.status).toBe(200)
    expect(await opened.text()).toContain(`Your account now uses ${newEmail}`)
    expect(await canSignIn(newEmail, PASSWORD)).toBe(true)
    expect(await canSignIn(client.email, PASSWORD)).toBe(false)
    expect((await provider.waitFor(client.email, /email address was changed/)).text).toContain(newEmail)
    const account = await (await client.get('/account')).text()
    expect(account).toContain(newEmail)
    expect(account).toContain('Verified')
    expect((await client.get(link)).status).toBe(410)
  })

  test('needs the current password', async () => {
    const client = await signedUpClient(ctx.origin)
    const newEmail = uniqueEmail('nopass')
    const response = await client.post('/account/email', { email: newEmail, currentPassword: 'wrong password entirely' })
    expect(response.status).toBe(422)
    const html = await response.text()
    expect(html).toContain('That is not your current password.')
    expect(html).toContain(`value="${newEmail}"`)
    await settle()
    expect(provider.sentTo(newEmail)).toEqual([])
  })

  test("refuses another account's address, at request and at confirmation", async () => {
    const client = await signedUpClient(ctx.origin)
    const taken = await signedUpClient(ctx.origin, 'Taken User')
    const refused = await client.post('/account/email', { email: taken.email, currentPassword: PASSWORD })
    expect(refused.status).toBe(422)
    expect(await refused.text()).toContain('An account with this email already exists.')

    // The address was free when asked for, and taken by the time the link is opened.
    const contested = uniqueEmail('contested')
    await client.post('/account/email', { email: contested, currentPassword: PASSWORD })
    const link = linkPath(await provider.waitFor(contested, /Confirm your new email address/), '/verify-email/')
    const squatter = await new Client(ctx.origin).post('/signup', { name: 'Squatter', email: contested, password: PASSWORD })
    expect(squatter.status).toBe(302)
    const opened = await client.get(link)
    expect(opened.status).toBe(409)
    expect(await canSignIn(client.email, PASSWORD)).toBe(true)
  })

  test('an expired confirmation link changes nothing', async () => {
    const client = await signedUpClient(ctx.origin)
    const newEmail = uniqueEmail('late')
    await client.post('/account/email', { email: newEmail, currentPassword: PASSWORD })
    const link = linkPath(await provider.waitFor(newEmail, /Confirm/), '/verify-email/')
    await ctx.admin.query(`update auth.account_tokens set expires_at = now() - interval '1 second' where token_hash = $1`, [
      sha256(link.split('/').pop()!),
    ])
    expect((await client.get(link)).status).toBe(410)
    expect(await canSignIn(client.email, PASSWORD)).toBe(true)
  })
})

describe('passwords', () => {
  test('sign-up refuses common and guessable passwords, whatever their length', async () => {
    for (const password of ['password1234567', 'qwertyuiopasdfgh', 'aaaaaaaaaaaaaaaa']) {
      const response = await new Client(ctx.origin).post('/signup', { name: 'Weak', email: uniqueEmail('weak'), password })
      expect(response.status, password).toBe(422)
      expect(await response.text(), password).toContain('This password is too easy to guess.')
    }
  })

  test('accepts 128 characters and refuses 129', async () => {
    const long = 'violet lantern orbit meadow '.repeat(5).slice(0, 128)
    expect((await new Client(ctx.origin).post('/signup', { name: 'Long', email: uniqueEmail('long'), password: long })).status).toBe(302)
    const tooLong = await new Client(ctx.origin).post('/signup', { name: 'Long', email: uniqueEmail('long'), password: `${long}x` })
    expect(tooLong.status).toBe(422)
    expect(await tooLong.text()).toContain('Use at most 128 characters')
  })

  test('a hash made with weaker argon2 settings is upgraded at the next sign-in', async () => {
    const { email } = await signedUpClient(ctx.origin)
    const { hash } = await import('@node-rs/argon2')
    const weak = await hash(PASSWORD, { memoryCost: 4096, timeCost: 1, parallelism: 1 })
    await ctx.admin.query('update auth.passwords p set hash = $2 from auth.users u where u.id = p.user_id and u.email = $1', [email, weak])
    expect(await canSignIn(email, PASSWORD)).toBe(true)
    const { rows } = await ctx.admin.query('select p.hash from auth.passwords p join auth.users u on u.id = p.user_id where u.email = $1', [email])
    expect(rows[0].hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    expect(await canSignIn(email, PASSWORD)).toBe(true)
  })
})
