import { expect, test } from '@playwright/test'
import { fillSignup, newAccount, saveScreenshot, signOut, signUp, submitLogin } from './fixtures'

const BAD_CREDENTIALS = 'Email or password is incorrect.'

test('a too-short password is refused and the name and email stay filled', async ({ page }, testInfo) => {
  const account = { ...newAccount('Katherine Johnson'), password: 'short' }
  await fillSignup(page, account)

  await expect(page.getByText('Use at least 12 characters')).toBeVisible()
  await expect(page).toHaveURL('/signup')
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue(account.name)
  await expect(page.getByLabel('Email', { exact: true })).toHaveValue(account.email)
  await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('aria-invalid', 'true')
  await saveScreenshot(page, testInfo, 'signup-errors')

  // Fixing the one bad field is enough.
  await page.getByLabel('Password', { exact: true }).fill('a long enough passphrase')
  await page.getByRole('button', { name: 'Sign up' }).click()
  await expect(page).toHaveURL('/orgs')
})

test('an email that already has an account is refused by the server, keeping the name', async ({ page, browser, javaScriptEnabled }) => {
  const existing = await signUp(page, 'Mary Jackson')

  const context = await browser.newContext()
  const other = await context.newPage()
  await fillSignup(other, { ...newAccount('Dorothy Vaughan'), email: existing.email })
  await expect(other.getByText('An account with this email already exists')).toBeVisible()
  await expect(other.getByLabel('Name', { exact: true })).toHaveValue('Dorothy Vaughan')
  await expect(other.getByLabel('Email', { exact: true })).toHaveValue(existing.email)
  if (!javaScriptEnabled) await expect(other.getByLabel('Password', { exact: true })).toHaveValue('')
  await context.close()
})

test('a wrong password shows the generic message and keeps the email', async ({ page, javaScriptEnabled }) => {
  const account = await signUp(page, 'Margaret Hamilton')
  await signOut(page)

  await page.goto('/login')
  await submitLogin(page, account.email, 'not the right password')
  await expect(page.getByText(BAD_CREDENTIALS)).toBeVisible()
  await expect(page).toHaveURL('/login')
  await expect(page.getByLabel('Email', { exact: true })).toHaveValue(account.email)
  // Without JavaScript the page is the server's answer, which never echoes a password.
  if (!javaScriptEnabled) await expect(page.getByLabel('Password', { exact: true })).toHaveValue('')
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0)
})

test('an unknown email gets the same message as a wrong password', async ({ page }) => {
  await page.goto('/login')
  await submitLogin(page, newAccount().email, 'any password at all')
  await expect(page.getByText(BAD_CREDENTIALS)).toBeVisible()
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0)
})
