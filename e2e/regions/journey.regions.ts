import { expect, test } from '@playwright/test'
import { createOrganization, signUp } from '../fixtures'

/**
 * Through the replica region's entrance (Fly's router played by a local
 * proxy): every form post is replayed to the primary region, and the page
 * after the redirect is read in the replica region — waiting for the standby
 * to replay the change, or from the primary. Either way the person sees it.
 */
test('a person signs up, creates an organization and a workspace in a replica region, and sees them at once', async ({ page }) => {
  await signUp(page, 'Regina Region')
  const slug = await createOrganization(page, 'Far Away Inc')
  await expect(page.getByText('Far Away Inc', { exact: true }).first()).toBeVisible()

  await page.getByRole('link', { name: 'New workspace' }).click()
  await page.getByLabel('Name', { exact: true }).fill('Seen At Once')
  await page.getByRole('button', { name: 'Create workspace' }).click()
  await expect(page).toHaveURL(`/orgs/${slug}/workspaces/seen-at-once`)
  await expect(page.getByRole('heading', { name: /Seen At Once/ })).toBeVisible()

  // And it is listed on the organization's page, read in the replica region.
  const response = await page.goto(`/orgs/${slug}`)
  expect(response?.headers()['x-served-by']).toMatch(/^region=(iad; db=replica|ams; db=primary)/)
  await expect(page.getByRole('link', { name: /Seen At Once/ }).first()).toBeVisible()
})
