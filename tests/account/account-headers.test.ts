import { afterAll, beforeAll, expect, test } from 'vitest'
import { startApp } from '../utils/app'
import { setupApp, type App } from '../utils/fixture'

const ctx = setupApp()
// A second app whose HTTP layer runs as in production.
let production: App
beforeAll(async () => {
  production = await startApp({ NODE_ENV: 'production' })
})
afterAll(() => production.close())

function directives(csp: string | null): Map<string, string> {
  return new Map(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => [d.split(' ')[0]!, d]),
  )
}

test('every page has an enforced CSP whose nonce, new on each response, is on every script', async () => {
  const first = await fetch(new URL('/login', ctx.origin))
  expect(first.headers.get('content-security-policy-report-only')).toBeNull()
  const csp = directives(first.headers.get('content-security-policy'))
  const nonce = csp.get('script-src')?.match(/'nonce-([A-Za-z0-9+/=]{22,})'/)?.[1]
  expect(nonce).toBeDefined()
  expect(csp.get('script-src')).toBe(`script-src 'nonce-${nonce}' 'strict-dynamic'`)
  expect(csp.get('object-src')).toBe("object-src 'none'")
  expect(csp.get('base-uri')).toBe("base-uri 'none'")
  expect(csp.get('frame-ancestors')).toBe("frame-ancestors 'none'")
  expect(csp.get('script-src-attr')).toBe("script-src-attr 'none'")

  const scripts = (await first.text()).match(/<script\b[^>]*>/g) ?? []
  expect(scripts.length).toBeGreaterThanOrEqual(2)
  for (const script of scripts) expect(script).toContain(`nonce="${nonce}"`)

  const second = await fetch(new URL('/login', ctx.origin))
  expect(directives(second.headers.get('content-security-policy')).get('script-src')).not.toContain(nonce)
})

test('responses say nosniff, strict-origin-when-cross-origin, same-origin COOP, a Permissions-Policy and deny framing', async () => {
  for (const pathname of ['/', '/no/such/page', '/robots.txt']) {
    const response = await fetch(new URL(pathname, ctx.origin))
    expect(response.headers.get('x-content-type-options'), pathname).toBe('nosniff')
    expect(response.headers.get('referrer-policy'), pathname).toBe('strict-origin-when-cross-origin')
    expect(response.headers.get('cross-origin-opener-policy'), pathname).toBe('same-origin')
    expect(response.headers.get('permissions-policy'), pathname).toMatch(/camera=\(\), microphone=\(\), geolocation=\(\)/)
    expect(response.headers.get('x-frame-options'), pathname).toBe('DENY')
    expect(response.headers.get('content-security-policy'), pathname).toContain("frame-ancestors 'none'")
  }
})

test('HSTS and upgrade-insecure-requests are sent in production only', async () => {
  const development = await fetch(new URL('/', ctx.origin))
  expect(development.headers.get('strict-transport-security')).toBeNull()
  expect(development.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests')

  const live = await fetch(new URL('/', production.origin))
  expect(live.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains')
  expect(live.headers.get('content-security-policy')).toContain('upgrade-insecure-requests')
})
