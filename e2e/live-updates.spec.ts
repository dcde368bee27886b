import { expect, test, type Browser, type Page } from '@playwright/test'
import { createOrganization, newAccount, signUp } from './fixtures'

/** An owner's organization with a second member, who joined through an invitation in a browser of their own. */
async function organizationOfTwo(page: Page, browser: Browser) {
  await signUp(page, 'Ana Owner')
  const slug = await createOrganization(page, 'Live Journey Co')
  const colleague = newAccount('Cole League')
  await page.goto(`/orgs/${slug}/members`)
  await page.getByLabel('Email', { exact: true }).fill(colleague.email)
  await page.getByRole('button', { name: 'Send invitation' }).click()
  await expect(page.getByText(`Invitation sent to ${colleague.email}`)).toBeVisible()
  await page.goto('/dev/mailbox')
  const message = page.getByRole('listitem').filter({ hasText: colleague.email }).first()
  const link = (await message.textContent())!.match(/\/invitations\/[A-Za-z0-9_-]+/)![0]

  const context = await browser.newContext()
  const other = await context.newPage()
  await other.goto(link)
  await other.getByRole('link', { name: 'Create an account' }).click()
  await other.getByLabel('Name', { exact: true }).fill(colleague.name)
  await other.getByLabel('Email', { exact: true }).fill(colleague.email)
  await other.getByLabel('Password', { exact: true }).fill(colleague.password)
  await other.getByRole('button', { name: 'Sign up' }).click()
  await expect(other).toHaveURL(link)
  await other.getByRole('button', { name: 'Accept invitation' }).click()
  await expect(other).toHaveURL(`/orgs/${slug}`)
  return { slug, other, context }
}

async function createProject(page: Page, slug: string, name: string) {
  await page.goto(`/orgs/${slug}/workspaces/general/projects/new`)
  await page.getByLabel('Name', { exact: true }).fill(name)
  await page.getByRole('button', { name: 'Create project' }).click()
  await expect(page).toHaveURL(/\/projects\/q4-launch$/)
}

test('a project created in one browser appears in another’s list without a reload', async ({ page, browser, javaScriptEnabled }) => {
  const { slug, other, context } = await organizationOfTwo(page, browser)
  await other.goto(`/orgs/${slug}/workspaces/general`)
  await expect(other.getByRole('link', { name: 'Q4 Launch' })).toHaveCount(0)
  // The page's marker survives a revalidation but not a reload.
  if (javaScriptEnabled) await other.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true))

  await createProject(page, slug, 'Q4 Launch')

  if (javaScriptEnabled) {
    await expect(other.getByRole('link', { name: 'Q4 Launch' })).toBeVisible()
    await expect(other.getByTestId('live-notice')).toHaveText('Ana Owner created Q4 Launch')
    expect(await other.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true)
  } else {
    // Without JavaScript the page stays as it was loaded, and a reload shows the project.
    await expect(other.getByRole('link', { name: 'Q4 Launch' })).toHaveCount(0)
    await other.reload()
    await expect(other.getByRole('link', { name: 'Q4 Launch' })).toBeVisible()
  }
  await context.close()
})
