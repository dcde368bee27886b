import { expect, test } from '@playwright/test'
import { createOrganization, saveScreenshot, signUp } from './fixtures'

async function streamText(stream: NodeJS.ReadableStream) {
  let text = ''
  for await (const chunk of stream) text += chunk.toString()
  return text
}

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

  // The export carries the filter: a plain link that downloads the matching entries and the trailer.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()])
  expect(download.suggestedFilename()).toMatch(new RegExp(`^audit-log-${slug}-\\d{4}-\\d{2}-\\d{2}\\.csv$`))
  const lines = (await streamText(await download.createReadStream())).split('\r\n').filter(Boolean)
  expect(lines).toHaveLength(3)
  expect(lines[1]).toContain(',workspace.created,')
  expect(lines[2]).toMatch(/^# \{"type":"trailer"/)

  // A bad date range is named next to its field, with what was typed kept.
  await page.getByLabel('From (UTC)').fill('2026-02-01')
  await page.getByLabel('To (UTC)').fill('2026-01-01')
  await page.getByRole('button', { name: 'Filter' }).click()
  await expect(page.locator('#filter-to-error')).not.toBeEmpty()
  await expect(page.getByLabel('Action')).toHaveValue('workspace.')

  await page.getByRole('link', { name: 'Clear' }).click()
  await expect(page.getByLabel('Action')).toHaveValue('')
  // Everything, and the export, which is on record too.
  await expect(entries).toHaveCount(everything + 1)
  await expect(entries.filter({ hasText: 'audit_log.exported' })).toHaveCount(1)
})
