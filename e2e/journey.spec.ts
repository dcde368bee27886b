import { expect, test } from '@playwright/test'
import { createOrganization, saveScreenshot, signOut, signUp, submitLogin } from './fixtures'

test('sign up, create an organization, sign out and sign in again', async ({ page }, testInfo) => {
  await page.goto('/')
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible()
  await saveScreenshot(page, testInfo, 'home')

  const account = await signUp(page)
  await expect(page.getByRole('heading', { name: 'Your organizations' })).toBeVisible()
  await expect(page.getByText('You are not in any organization yet.')).toBeVisible()
  await saveScreenshot(page, testInfo, 'orgs-empty')

  await page.getByRole('link', { name: 'New organization', exact: true }).click()
  await expect(page).toHaveURL('/orgs/new')
  const slug = await createOrganization(page, 'Acme Rockets')
  expect(slug).toMatch(/^acme-rockets/)
  await expect(page.getByRole('link', { name: 'Acme Rockets' })).toBeVisible()
  await expect(page.getByRole('heading', { name: 'Workspaces' })).toBeVisible()
  await expect(page.getByText('General', { exact: true })).toBeVisible()
  await expect(page.getByText('Default', { exact: true })).toBeVisible()
  await saveScreenshot(page, testInfo, 'organization')

  await signOut(page)
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0)

  // The organization's page asks for a sign-in and comes back to it afterwards.
  await page.goto(`/orgs/${slug}`)
  await expect(page).toHaveURL(`/login?redirectTo=${encodeURIComponent(`/orgs/${slug}`)}`)
  await submitLogin(page, account.email, account.password)
  await expect(page).toHaveURL(`/orgs/${slug}`)
  await expect(page.getByText('General', { exact: true })).toBeVisible()

  await page.goto('/orgs')
  await expect(page.getByRole('link', { name: /Acme Rockets/ })).toBeVisible()
  await saveScreenshot(page, testInfo, 'orgs')
})

test('signing in from /login lands on the list of organizations', async ({ page }) => {
  const account = await signUp(page, 'Grace Hopper')
  const slug = await createOrganization(page, 'Compilers Inc')
  await signOut(page)

  await page.getByRole('link', { name: 'Sign in' }).first().click()
  await expect(page).toHaveURL('/login')
  await submitLogin(page, account.email, account.password)
  await expect(page).toHaveURL('/orgs')
  await page.getByRole('link', { name: /Compilers Inc/ }).click()
  await expect(page).toHaveURL(`/orgs/${slug}`)
  await expect(page.getByText('General', { exact: true })).toBeVisible()
})
