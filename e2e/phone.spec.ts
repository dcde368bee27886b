import { expect, test, type Page } from '@playwright/test'
import { createOrganization, fillSignup, newAccount, saveScreenshot, signUp } from './fixtures'

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })

/** Nothing may be wider than the screen: a sideways scroll on a phone hides content. */
async function expectNoSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  expect(overflow).toBeLessThanOrEqual(0)
}

test('the main pages fit a phone screen', async ({ page }, testInfo) => {
  await page.goto('/')
  await expectNoSidewaysScroll(page)
  await saveScreenshot(page, testInfo, 'home-phone')

  await fillSignup(page, { ...newAccount(), password: 'short' })
  await expect(page.getByText('Use at least 12 characters')).toBeVisible()
  await expectNoSidewaysScroll(page)
  await saveScreenshot(page, testInfo, 'signup-errors-phone')

  await signUp(page, 'Hedy Lamarr')
  await expectNoSidewaysScroll(page)
  await saveScreenshot(page, testInfo, 'orgs-empty-phone')

  await createOrganization(page, 'Frequency Hopping Co')
  await expect(page.getByText('General', { exact: true })).toBeVisible()
  await expectNoSidewaysScroll(page)
  await saveScreenshot(page, testInfo, 'organization-phone')

  await page.goto('/orgs')
  await expectNoSidewaysScroll(page)
  await saveScreenshot(page, testInfo, 'orgs-phone')
})
