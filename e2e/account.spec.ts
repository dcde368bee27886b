import { expect, test, type APIRequestContext, type Page } from '@playwright/test'
import { newAccount, PASSWORD, saveScreenshot, signOut, signUp, submitLogin } from './fixtures'

const NEW_PASSWORD = 'violet lantern orbit meadow'

/**
 * The newest link starting with `prefix` mailed to `to`, read from the dev
 * mailbox (the e2e server has no mail provider), as a path on this server.
 */
async function mailedLink(request: APIRequestContext, to: string, prefix: string): Promise<string> {
  let link: string | undefined
  await expect
    .poll(
      async () => {
        const html = await (await request.get('/dev/mailbox')).text()
        const message = html.split('<li').find((item) => item.includes(`>${to}</span>`) && item.includes(prefix))
        link = message?.match(new RegExp(`href="https?://[^/"]+(${prefix}[^"]+)"`))?.[1]
        return link
      },
      { timeout: 15_000 },
    )
    .toBeTruthy()
  return link!
}

async function resetPasswordByEmail(page: Page, email: string) {
  await page.goto('/forgot-password')
  await page.getByLabel('Email', { exact: true }).fill(email)
  await page.getByRole('button', { name: 'Send reset link' }).click()
  await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible()
}

test('forgot password: the mailed link sets a new password once', async ({ page, request }, testInfo) => {
  const account = await signUp(page, 'Reset Person')
  await signOut(page)

  await resetPasswordByEmail(page, account.email)
  await saveScreenshot(page, testInfo, 'forgot-sent')
  const link = await mailedLink(request, account.email, '/reset-password/')

  await page.goto(link)
  await page.getByLabel('New password', { exact: true }).fill('password12345')
  await page.getByRole('button', { name: 'Set new password' }).click()
  await expect(page.getByText('This password is too easy to guess.')).toBeVisible()
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD)
  await page.getByRole('button', { name: 'Set new password' }).click()
  await expect(page).toHaveURL('/account?password=reset')
  await expect(page.getByText('Your password was reset.')).toBeVisible()

  await page.goto(link)
  await expect(page.getByRole('heading', { name: 'This link no longer works' })).toBeVisible()

  await page.goto('/orgs')
  await signOut(page)
  await page.goto('/login')
  await submitLogin(page, account.email, NEW_PASSWORD)
  await expect(page).toHaveURL('/orgs')
})

test('forgot password looks the same for an address with no account', async ({ page }) => {
  await resetPasswordByEmail(page, newAccount('Nobody').email)
  await expect(page.getByText('If an account exists for that address')).toBeVisible()
})

test('sign-up mails a verification link; the banner goes once it is opened', async ({ page, request }, testInfo) => {
  const account = await signUp(page, 'Verify Person')
  const banner = page.getByText('Please verify your email address')
  await expect(banner).toBeVisible()
  await saveScreenshot(page, testInfo, 'unverified-banner')

  await page.getByRole('button', { name: 'Send a new link' }).first().click()
  await expect(page).toHaveURL('/account?email=sent')
  const link = await mailedLink(request, account.email, '/verify-email/')
  await page.goto(link)
  await expect(page.getByText('Your email address is verified.')).toBeVisible()
  await page.goto('/account')
  await expect(page.getByText('Verified', { exact: true })).toBeVisible()
  await expect(banner).toHaveCount(0)
})

test('change password needs the current one and signs out other sessions', async ({ page, browser }) => {
  const account = await signUp(page, 'Change Person')
  const elsewhere = await browser.newContext()
  const other = await elsewhere.newPage()
  await other.goto('/login')
  await submitLogin(other, account.email, PASSWORD)
  await expect(other).toHaveURL('/orgs')

  await page.goto('/account/password')
  await page.getByLabel('Current password', { exact: true }).fill('not my password at all')
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD)
  await page.getByRole('button', { name: 'Change password' }).click()
  await expect(page.getByText('That is not your current password.')).toBeVisible()

  await page.getByLabel('Current password', { exact: true }).fill(PASSWORD)
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD)
  await page.getByRole('button', { name: 'Change password' }).click()
  await expect(page).toHaveURL('/account?password=changed')

  await other.goto('/orgs')
  await expect(other).toHaveURL(/\/login\?redirectTo=/)
  await elsewhere.close()
})

test('the sessions page signs out another device', async ({ page, browser }, testInfo) => {
  const account = await signUp(page, 'Session Person')
  const elsewhere = await browser.newContext()
  const other = await elsewhere.newPage()
  await other.goto('/login')
  await submitLogin(other, account.email, PASSWORD)
  await expect(other).toHaveURL('/orgs')

  await page.goto('/account/sessions')
  await expect(page.getByTestId('session')).toHaveCount(2)
  await expect(page.getByText('This device')).toBeVisible()
  await saveScreenshot(page, testInfo, 'sessions')
  await page.getByRole('button', { name: 'Sign out all other sessions' }).click()
  await expect(page.getByText('Signed out 1 session.')).toBeVisible()
  await expect(page.getByTestId('session')).toHaveCount(1)

  await other.goto('/orgs')
  await expect(other).toHaveURL(/\/login\?redirectTo=/)
  await elsewhere.close()
})

test('change email moves the account once the new address confirms', async ({ page, request }) => {
  const account = await signUp(page, 'Moving Person')
  const next = newAccount('Moved Person').email
  await page.goto('/account/email')
  await page.getByLabel('New email', { exact: true }).fill(next)
  await page.getByLabel('Current password', { exact: true }).fill('wrong password entirely')
  await page.getByRole('button', { name: 'Send confirmation link' }).click()
  await expect(page.getByText('That is not your current password.')).toBeVisible()
  await expect(page.getByLabel('New email', { exact: true })).toHaveValue(next)

  await page.getByLabel('Current password', { exact: true }).fill(PASSWORD)
  await page.getByRole('button', { name: 'Send confirmation link' }).click()
  await expect(page).toHaveURL('/account?email=requested')
  await expect(page.getByText(account.email, { exact: true }).first()).toBeVisible()

  await page.goto(await mailedLink(request, next, '/verify-email/'))
  await expect(page.getByText(`Your account now uses ${next}.`)).toBeVisible()
  await page.goto('/account')
  await expect(page.getByText(next, { exact: true }).first()).toBeVisible()
})
