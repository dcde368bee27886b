import { expect, test, type Page } from '@playwright/test'
import { createOrganization, signUp } from './fixtures'

/** Pages a signed-in person can reach are found by following links from these. */
const START = [
  '/',
  '/login',
  '/signup',
  '/forgot-password',
  '/reset-password/no-such-token',
  '/verify-email/no-such-token',
  '/dev/mailbox',
  '/orgs',
  '/account',
]
const MAX_PAGES = 80
/** Links that act rather than show (or take the session away mid-crawl), and downloads (the audit export). */
const SKIP = /^\/(logout|api\/)|\/audit\/export$/

function watchViolations(page: Page) {
  const violations: string[] = []
  page.on('console', (message) => {
    if (/Content.Security.Policy|Refused to (load|execute|apply|run)/i.test(message.text())) violations.push(`${page.url()}: ${message.text()}`)
  })
  page.on('pageerror', (error) => violations.push(`${page.url()}: ${error.message}`))
  return violations
}

async function sameOriginLinks(page: Page): Promise<string[]> {
  const hrefs = await page.locator('a[href]').evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).href))
  const origin = new URL(page.url()).origin
  return hrefs.filter((href) => href.startsWith(origin)).map((href) => new URL(href).pathname)
}

test('no page reports a Content-Security-Policy violation, on load or on client-side navigation', async ({ page }) => {
  test.setTimeout(180_000)
  const violations = watchViolations(page)
  await signUp(page, 'Content Policy')
  await createOrganization(page, 'Policy Org')

  const queue = [...START]
  const seen = new Set<string>()
  while (queue.length && seen.size < MAX_PAGES) {
    const pathname = queue.shift()!
    if (seen.has(pathname) || SKIP.test(pathname)) continue
    seen.add(pathname)
    await page.goto(pathname)
    await page.waitForLoadState('networkidle')
    queue.push(...(await sameOriginLinks(page)))
  }
  expect(seen.size).toBeGreaterThanOrEqual(START.length)

  // Client-side navigation loads route modules through the nonced entry script.
  await page.goto('/account')
  await page.waitForLoadState('networkidle')
  await page.getByRole('link', { name: 'Sessions' }).click()
  await expect(page.getByRole('heading', { name: 'Sessions' })).toBeVisible()
  await page.getByRole('link', { name: 'NextSaaS' }).click()
  await expect(page).toHaveURL('/orgs')
  await page.waitForLoadState('networkidle')

  expect(violations, `pages crawled: ${[...seen].join(', ')}`).toEqual([])
})

test('the policy really blocks a script without the nonce', async ({ page }) => {
  const violations = watchViolations(page)
  await page.goto('/login')
  await page.waitForLoadState('networkidle')
  // What an HTML injection would add: an inline event handler, which carries no nonce.
  await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<img src="/x" onerror="window.__injected = true">'))
  await expect.poll(() => violations.length).toBeGreaterThan(0)
  expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined()
})
