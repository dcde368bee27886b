import { expect, test } from '@playwright/test'
import { createOrganization, saveScreenshot, signUp } from './fixtures'

test("another user gets a 404 page on someone else's organization", async ({ page, browser }, testInfo) => {
  await signUp(page, 'Alice Owner')
  const slug = await createOrganization(page, 'Alice Private Ltd')

  const context = await browser.newContext()
  const intruder = await context.newPage()
  await signUp(intruder, 'Mallory Outsider')
  const response = await intruder.goto(`/orgs/${slug}`)
  expect(response?.status()).toBe(404)
  await expect(intruder.getByRole('alert')).toContainText('We could not find that page.')
  await expect(intruder.getByText('Alice Private Ltd')).toHaveCount(0)
  await expect(intruder.getByText('General', { exact: true })).toHaveCount(0)
  await saveScreenshot(intruder, testInfo, 'not-found')

  // Their own list does not mention it either.
  await intruder.goto('/orgs')
  await expect(intruder.getByText('You are not in any organization yet.')).toBeVisible()
  await context.close()
})

test('an organization page asks a signed-out visitor to sign in', async ({ page, browser }) => {
  await signUp(page, 'Bob Owner')
  const slug = await createOrganization(page, 'Bob Builders')

  const context = await browser.newContext()
  const visitor = await context.newPage()
  await visitor.goto(`/orgs/${slug}`)
  await expect(visitor).toHaveURL(/\/login\?redirectTo=/)
  await expect(visitor.getByText('Bob Builders')).toHaveCount(0)
  await context.close()
})
