import { expect, test } from '@playwright/test'
import { createOrganization, saveScreenshot, signUp } from './fixtures'

test('create, edit and delete a workspace; create and archive a project', async ({ page, browser }, testInfo) => {
  await signUp(page, 'Wanda Workspace')
  const slug = await createOrganization(page, 'Workspace Journey Inc')

  // Create a workspace (the seed's scenario).
  await page.getByRole('link', { name: 'New workspace' }).click()
  await page.getByLabel('Name', { exact: true }).fill('E2E Workspace')
  await page.getByLabel('Description').fill('Made in a browser')
  await page.getByRole('button', { name: 'Create workspace' }).click()
  await expect(page).toHaveURL(`/orgs/${slug}/workspaces/e2e-workspace`)
  await expect(page.getByRole('heading', { name: /E2E Workspace/ })).toBeVisible()

  // Edit it.
  await page.getByRole('link', { name: 'Edit workspace' }).click()
  await page.getByLabel('Name', { exact: true }).fill('Updated Workspace')
  await page.getByLabel('Slug').fill('updated-workspace')
  await page.getByRole('button', { name: 'Save workspace' }).click()
  await expect(page).toHaveURL(`/orgs/${slug}/workspaces/updated-workspace`)
  await expect(page.getByRole('heading', { name: /Updated Workspace/ })).toBeVisible()

  // A project inside it, archived and restored.
  await page.getByRole('link', { name: 'New project' }).click()
  await page.getByLabel('Name', { exact: true }).fill('Launch Plan')
  await page.getByRole('button', { name: 'Create project' }).click()
  await expect(page).toHaveURL(`/orgs/${slug}/workspaces/updated-workspace/projects/launch-plan`)
  await page.getByRole('button', { name: 'Archive' }).click()
  await expect(page.getByText('Archived', { exact: true })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Unarchive' })).toBeVisible()
  await saveScreenshot(page, testInfo, 'project')

  // Another user cannot reach any of it.
  const context = await browser.newContext()
  const stranger = await context.newPage()
  await signUp(stranger, 'Sam Stranger')
  for (const path of [`/orgs/${slug}/workspaces/updated-workspace`, `/orgs/${slug}/workspaces/updated-workspace/projects/launch-plan`]) {
    const response = await stranger.goto(path)
    expect(response?.status()).toBe(404)
    await expect(stranger.getByText('Launch Plan')).toHaveCount(0)
  }
  await context.close()

  // Delete the workspace through its confirmation page.
  await page.goto(`/orgs/${slug}/workspaces/updated-workspace/edit`)
  await page.getByRole('link', { name: 'Delete workspace…' }).click()
  await expect(page.getByRole('heading', { name: 'Delete workspace “Updated Workspace”?' })).toBeVisible()
  await page.getByRole('button', { name: 'Delete workspace' }).click()
  await expect(page).toHaveURL(`/orgs/${slug}`)
  await expect(page.getByTestId('workspace-card')).toHaveCount(1)
  await saveScreenshot(page, testInfo, 'workspaces')
})

test('a slug clash keeps what was typed and says what to fix', async ({ page }) => {
  await signUp(page, 'Clara Clash')
  const slug = await createOrganization(page, 'Clash Co')
  await page.goto(`/orgs/${slug}/workspaces/new`)
  await page.getByLabel('Name', { exact: true }).fill('Second General')
  await page.getByLabel('Slug').fill('general')
  await page.getByLabel('Description').fill('Keep this text')
  await page.getByRole('button', { name: 'Create workspace' }).click()
  await expect(page.getByText('Another workspace in this organization already uses this slug')).toBeVisible()
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Second General')
  await expect(page.getByLabel('Description')).toHaveValue('Keep this text')
})
