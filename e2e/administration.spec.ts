import { expect, test, type Browser, type Page } from '@playwright/test'
import { createOrganization, newAccount, saveScreenshot, signUp } from './fixtures'

/**
 * Someone joins the organization through an invitation (as a member) in a
 * browser of their own; returns their page, signed in, and their name.
 */
async function join(page: Page, browser: Browser, slug: string, name: string) {
  const account = newAccount(name)
  await page.goto(`/orgs/${slug}/members`)
  await page.getByLabel('Email', { exact: true }).fill(account.email)
  await page.getByRole('button', { name: 'Send invitation' }).click()
  await expect(page.getByText(`Invitation sent to ${account.email}`)).toBeVisible()
  await page.goto('/dev/mailbox')
  const message = page.getByRole('listitem').filter({ hasText: account.email }).first()
  const link = (await message.textContent())!.match(/\/invitations\/[A-Za-z0-9_-]+/)![0]

  const context = await browser.newContext()
  const other = await context.newPage()
  await other.goto('/signup')
  await other.getByLabel('Name', { exact: true }).fill(account.name)
  await other.getByLabel('Email', { exact: true }).fill(account.email)
  await other.getByLabel('Password', { exact: true }).fill(account.password)
  await other.getByRole('button', { name: 'Sign up' }).click()
  await expect(other).toHaveURL('/orgs')
  await other.goto(link)
  await other.getByRole('button', { name: 'Accept invitation' }).click()
  await expect(other).toHaveURL(`/orgs/${slug}`)
  return { other, name, close: () => context.close() }
}

/** The owner opens a member's page from the member list. */
async function openMember(page: Page, slug: string, name: string) {
  await page.goto(`/orgs/${slug}/members`)
  await page.getByRole('link', { name }).click()
  await expect(page.getByRole('heading', { name })).toBeVisible()
}

test('create a custom role from the checklist and assign it: the member sees what it opens', async ({ page, browser }, testInfo) => {
  await signUp(page, 'Rhea Roles')
  const slug = await createOrganization(page, 'Custom Role Ltd')
  const member = await join(page, browser, slug, 'Cato Custom')
  await member.other.goto(`/orgs/${slug}/members`)
  await expect(member.other.getByText('You do not have the member:view permission here')).toBeVisible()

  await page.goto(`/orgs/${slug}/roles/new`)
  await page.getByLabel('Name', { exact: true }).fill('Reviewer')
  for (const permission of [/^View organization/, /^View workspaces/, /^View projects/, /^View members/]) {
    await page.getByRole('checkbox', { name: permission }).check()
  }
  await page.getByRole('button', { name: 'Create role' }).click()
  await expect(page).toHaveURL(`/orgs/${slug}/roles`)
  await expect(page.getByRole('cell', { name: 'Reviewer' }).or(page.getByText('Reviewer')).first()).toBeVisible()

  await openMember(page, slug, member.name)
  await page.getByLabel('Organization role').selectOption({ label: 'Reviewer' })
  await page.getByRole('button', { name: 'Change role' }).click()
  await expect(page.getByText('· Reviewer · active')).toBeVisible()
  await expect(page.getByRole('cell', { name: /View members/ })).toBeVisible()
  await saveScreenshot(page, testInfo, 'member-with-custom-role')

  await member.other.goto(`/orgs/${slug}/members`)
  await expect(member.other.getByRole('heading', { name: 'Members' })).toBeVisible()
  await member.close()
})

test('grant a role on one project: the member may edit that project and no other', async ({ page, browser }, testInfo) => {
  await signUp(page, 'Gina Grants')
  const slug = await createOrganization(page, 'Grants Ltd')
  for (const name of ['Apollo', 'Zeus']) {
    await page.goto(`/orgs/${slug}/workspaces/general/projects/new`)
    await page.getByLabel('Name', { exact: true }).fill(name)
    await page.getByRole('button', { name: 'Create project' }).click()
    await expect(page.getByRole('heading', { name })).toBeVisible()
  }
  const member = await join(page, browser, slug, 'Pia Project')
  await member.other.goto(`/orgs/${slug}/workspaces/general/projects/apollo`)
  await expect(member.other.getByRole('link', { name: 'Edit' })).toHaveCount(0)

  await openMember(page, slug, member.name)
  await page.getByLabel('Find a workspace or project').fill('apollo')
  await page.getByRole('button', { name: 'Search' }).click()
  await expect(page.getByText('1 found')).toBeVisible()
  await page.getByRole('radio', { name: /General \/ Apollo/ }).check()
  await page.getByLabel('Role', { exact: true }).selectOption({ label: 'Admin' })
  await page.getByRole('button', { name: 'Add grant' }).click()
  await expect(page.getByText('Admin on project “Apollo”')).toBeVisible()
  await expect(page.getByRole('cell', { name: /Admin role on project “Apollo”/ }).first()).toBeVisible()
  await saveScreenshot(page, testInfo, 'member-with-grant')

  await member.other.goto(`/orgs/${slug}/workspaces/general/projects/apollo`)
  await expect(member.other.getByRole('link', { name: 'Edit' })).toBeVisible()
  await member.other.goto(`/orgs/${slug}/workspaces/general/projects/zeus`)
  await expect(member.other.getByRole('heading', { name: 'Zeus' })).toBeVisible()
  await expect(member.other.getByRole('link', { name: 'Edit' })).toHaveCount(0)
  await member.close()
})

test('suspend a member, who is locked out at once, and reactivate them', async ({ page, browser }) => {
  await signUp(page, 'Sam Suspender')
  const slug = await createOrganization(page, 'Suspension Ltd')
  const member = await join(page, browser, slug, 'Sid Suspended')

  await openMember(page, slug, member.name)
  await page.getByRole('button', { name: 'Suspend' }).click()
  await expect(page.getByText('· Member · suspended')).toBeVisible()
  await member.other.goto(`/orgs/${slug}`)
  await expect(member.other.getByText('We could not find that page.')).toBeVisible()

  await page.getByRole('button', { name: 'Reactivate' }).click()
  await expect(page.getByText('· Member · active')).toBeVisible()
  await member.other.goto(`/orgs/${slug}`)
  await expect(member.other.getByRole('link', { name: 'Suspension Ltd' })).toBeVisible()
  await member.close()
})

test('transfer ownership: the typed organization name confirms it', async ({ page, browser }, testInfo) => {
  await signUp(page, 'Tom Transfer')
  const slug = await createOrganization(page, 'Handover Ltd')
  const member = await join(page, browser, slug, 'Hana Heir')

  await openMember(page, slug, member.name)
  await page.getByLabel('Type “Handover Ltd” to confirm').fill('handover')
  await page.getByRole('button', { name: 'Transfer ownership' }).click()
  await expect(page.getByText('Type “Handover Ltd” exactly to confirm')).toBeVisible()
  await expect(page.getByText('· Member · active')).toBeVisible()
  await saveScreenshot(page, testInfo, 'transfer-refused')

  await page.getByLabel('Type “Handover Ltd” to confirm').fill('Handover Ltd')
  await page.getByRole('button', { name: 'Transfer ownership' }).click()
  await expect(page.getByText('· Owner · active')).toBeVisible()
  await page.goto(`/orgs/${slug}/settings`)
  await expect(page.getByRole('heading', { name: 'Delete organization' })).toHaveCount(0)
  await member.other.goto(`/orgs/${slug}/settings`)
  await expect(member.other.getByRole('heading', { name: 'Delete organization' })).toBeVisible()
  await member.close()
})

test('rename the organization and change its slug: old links stop working', async ({ page }) => {
  await signUp(page, 'Rita Renamer')
  const slug = await createOrganization(page, 'Before Ltd')
  const next = `after-${Date.now().toString(36)}`
  await page.goto(`/orgs/${slug}/settings`)
  await page.getByLabel('Name', { exact: true }).fill('After Ltd')
  await page.getByLabel('Slug', { exact: true }).fill(next)
  await page.getByRole('button', { name: 'Save changes' }).click()
  await expect(page).toHaveURL(`/orgs/${next}/settings`)
  await expect(page.getByRole('link', { name: 'After Ltd' }).first()).toBeVisible()
  await page.goto(`/orgs/${slug}`)
  await expect(page.getByText('We could not find that page.')).toBeVisible()
})

test('delete an organization with the typed confirmation', async ({ page }, testInfo) => {
  await signUp(page, 'Dora Deleter')
  const slug = await createOrganization(page, 'Doomed Ltd')
  await page.goto(`/orgs/${slug}/settings`)
  await page.getByLabel('Type “Doomed Ltd” to confirm').fill('Doomed')
  await page.getByRole('button', { name: 'Delete this organization' }).click()
  await expect(page.getByText('Type “Doomed Ltd” exactly to confirm')).toBeVisible()
  await saveScreenshot(page, testInfo, 'delete-refused')
  await page.getByLabel('Type “Doomed Ltd” to confirm').fill('Doomed Ltd')
  await page.getByRole('button', { name: 'Delete this organization' }).click()
  await expect(page).toHaveURL('/orgs')
  await expect(page.getByRole('link', { name: 'Doomed Ltd' })).toHaveCount(0)
  await page.goto(`/orgs/${slug}`)
  await expect(page.getByText('We could not find that page.')).toBeVisible()
})
