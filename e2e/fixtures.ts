import { randomBytes } from 'node:crypto'
import { expect, type Page, type TestInfo } from '@playwright/test'

export const PASSWORD = 'correct horse battery staple'

export interface Account {
  name: string
  email: string
  password: string
}

/** A fresh identity, so tests never share an account and can run in any order. */
export function newAccount(name = 'Ada Lovelace'): Account {
  const label = name.split(' ')[0]!.toLowerCase()
  return { name, email: `${label}-${randomBytes(5).toString('hex')}@example.test`, password: PASSWORD }
}

export async function fillSignup(page: Page, account: Account) {
  await page.goto('/signup')
  await page.getByLabel('Name', { exact: true }).fill(account.name)
  await page.getByLabel('Email', { exact: true }).fill(account.email)
  await page.getByLabel('Password', { exact: true }).fill(account.password)
  await page.getByRole('button', { name: 'Sign up' }).click()
}

/** Signs a new account up; it lands on its (empty) list of organizations. */
export async function signUp(page: Page, name?: string): Promise<Account> {
  const account = newAccount(name)
  await fillSignup(page, account)
  await expect(page).toHaveURL('/orgs')
  return account
}

/** Fills and submits the sign-in form on the current page (/login, maybe with a redirectTo). */
export async function submitLogin(page: Page, email: string, password: string) {
  await page.getByLabel('Email', { exact: true }).fill(email)
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

export async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect(page).toHaveURL('/')
}

/** Creates an organization through its form and returns its slug. */
export async function createOrganization(page: Page, name: string): Promise<string> {
  await page.goto('/orgs/new')
  await page.getByLabel('Organization name', { exact: true }).fill(name)
  await page.getByRole('button', { name: 'Create organization' }).click()
  await page.waitForURL((url) => /^\/orgs\/[^/]+$/.test(url.pathname) && url.pathname !== '/orgs/new')
  return decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!)
}

/** A full-page screenshot kept with the test's results (test-results/<test>/<name>.png). */
export async function saveScreenshot(page: Page, testInfo: TestInfo, name: string) {
  await page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true })
}
