import { expect, test } from '@playwright/test'
import { createOrganization, newAccount, saveScreenshot, signUp } from './fixtures'

test('invite a member, accept in a second browser, change their role and see the UI change', async ({ page, browser }, testInfo) => {
  await signUp(page, 'Iris Inviter')
  const slug = await createOrganization(page, 'Invite Journey Ltd')
  const invitee = newAccount('Nina Newcomer')

  await page.goto(`/orgs/${slug}/members`)
  await page.getByLabel('Email', { exact: true }).fill(invitee.email)
  await page.getByRole('button', { name: 'Send invitation' }).click()
  await expect(page.getByText(`Invitation sent to ${invitee.email}`)).toBeVisible()
  await expect(page.getByText('Pending invitations')).toBeVisible()
  await saveScreenshot(page, testInfo, 'members')

  // The dev mailbox holds the message with its link.
  await page.goto('/dev/mailbox')
  const message = page.getByRole('listitem').filter({ hasText: invitee.email }).first()
  const link = (await message.textContent())!.match(/\/invitations\/[A-Za-z0-9_-]+/)![0]

  const context = await browser.newContext()
  const other = await context.newPage()
  await other.goto(link)
  await expect(other.getByRole('heading', { name: 'Join Invite Journey Ltd' })).toBeVisible()
  await other.getByRole('link', { name: 'Create an account' }).click()
  await other.getByLabel('Name', { exact: true }).fill(invitee.name)
  await other.getByLabel('Email', { exact: true }).fill(invitee.email)
  await other.getByLabel('Password', { exact: true }).fill(invitee.password)
  await other.getByRole('button', { name: 'Sign up' }).click()
  await expect(other).toHaveURL(link)
  await other.getByRole('button', { name: 'Accept invitation' }).click()
  await expect(other).toHaveURL(`/orgs/${slug}`)
  await expect(other.getByRole('link', { name: 'New workspace' })).toHaveCount(0)

  // The owner makes them an admin; their next page shows what admins can do.
  await page.goto(`/orgs/${slug}/members`)
  await page.getByRole('link', { name: invitee.name }).click()
  await page.getByLabel('Organization role').selectOption({ label: 'Admin' })
  await page.getByRole('button', { name: 'Change role' }).click()
  await expect(page.getByText(`${invitee.email} · Admin · active`)).toBeVisible()
  await saveScreenshot(page, testInfo, 'member')

  await other.reload()
  await expect(other.getByRole('link', { name: 'New workspace' })).toBeVisible()
  await context.close()
})
