import { expect, test } from '@playwright/test'
import { createOrganization, saveScreenshot, signUp } from './fixtures'

test('the audit log lists what happened and filters it; Clear shows everything again', async ({ page }, testInfo) => {
  await signUp(page, 'Audrey Auditor')
  const slug = await createOrganization(page, 'Audit Trail Ltd')
  await page.goto(`/orgs/${slug}/workspaces/new`)
  await page.getByLabel('Name', { exact: true }).fill('Research')
  await page.getByRole('button', { name: 'Create workspace' }).click()
  await expect(page).toHaveURL(`/orgs/${slug}/workspaces/research`)

  await page.getByRole('link', { name: 'Audit log' }).click()
  await expect(page).toHaveURL(`/orgs/${slug}/audit`)
  const entries = page.getByTestId('audit-entry')
  await expect(entries.filter({ hasText: 'workspace.created' })).toHaveCount(1)
  const everything = await entries.count()
  expect(everything).toBeGreaterThan(1)

  // A family of actions, through the plain GET form: the filter stays in the field and the URL.
  await page.getByLabel('Action').fill('workspace.')
  await page.getByRole('button', { name: 'Filter' }).click()
  await expect(page).toHaveURL(/action=workspace\./)
  await expect(entries).toHaveCount(1)
  await expect(page.getByLabel('Action')).toHaveValue('workspace.')
  await saveScreenshot(page, testInfo, 'audit-filtered')

  // A bad date range is named next to its field, with what was typed kept.
  await page.getByLabel('From (UTC)').fill('2026-02-01')
  await page.getByLabel('To (UTC)').fill('2026-01-01')
  await page.getByRole('button', { name: 'Filter' }).click()
  await expect(page.locator('#filter-to-error')).not.toBeEmpty()
  await expect(page.getByLabel('Action')).toHaveValue('workspace.')

  await page.getByRole('link', { name: 'Clear' }).click()
  await expect(page.getByLabel('Action')).toHaveValue('')
  await expect(entries).toHaveCount(everything)
})
