/**
 * The Prometheus endpoint: served on its own listener in the text format,
 * never on the app's port; it counts requests with bounded labels, 429s per
 * policy and what the security monitor blocks.
 */
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, test, vi } from 'vitest'
import { createMetricsApp } from '~/server/metrics.server'
import { Client } from '../utils/app'
import { setupApp } from '../utils/fixture'
import { uniquePrefix } from '../utils/rate-limit'

vi.stubEnv('RATE_LIMIT_STORE', 'postgres')
vi.stubEnv('RATE_LIMIT_KEY_PREFIX', uniquePrefix('metrics'))
vi.stubEnv('RATE_LIMIT_IP_MAX_REQUESTS', '3')
vi.stubEnv('RATE_LIMIT_INVITATION_FAILURES', '2')

const ctx = setupApp({ TRUST_PROXY: 1 })
let metrics: { origin: string; close: () => Promise<void> }
beforeAll(async () => {
  const server = createMetricsApp(ctx.app.services.metrics).listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  metrics = {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
})
afterAll(async () => {
  await metrics.close()
  vi.unstubAllEnvs()
})

async function scrape() {
  const response = await fetch(`${metrics.origin}/metrics`)
  expect(response.status).toBe(200)
  return { response, text: await response.text() }
}

/** One sample's value (0 when the series does not exist yet). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line ? Number(line.slice(series.length + 1)) : 0
}

const from = (ip: string) => new Client(ctx.origin).get('/', { headers: { 'x-forwarded-for': ip } })

test('a scrape is the Prometheus text format, with process metrics, request timings and the store', async () => {
  await new Client(ctx.origin).get('/api/no-such-thing', { headers: { 'x-forwarded-for': '203.0.113.40' } })
  const { response, text } = await scrape()
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
  expect(text).toContain('# TYPE process_cpu_user_seconds_total counter')
  expect(text).toContain('# TYPE nodejs_heap_size_used_bytes gauge')
  expect(text).toContain('# TYPE http_request_duration_seconds histogram')
  expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="api",status="404"}')).toBeGreaterThanOrEqual(1)
  expect(text).toContain('rate_limit_store_info{store="postgres"} 1')
  expect(text).toContain('# TYPE security_findings_total counter')
})

test('route labels are kinds, never paths', async () => {
  for (const path of ['/orgs/some-org/workspaces/x', '/favicon.svg', '/healthz', '/readyz', `/invitations/${'x'.repeat(40)}`, '/login.data']) {
    await new Client(ctx.origin).get(path, { headers: { 'x-forwarded-for': '203.0.113.41' } })
  }
  const { text } = await scrape()
  const routes = new Set([...text.matchAll(/route="([^"]*)"/g)].map((m) => m[1]))
  expect(
    [...routes].every((r) => ['api', 'page', 'data', 'asset', 'health'].includes(r!)),
    [...routes].join(', '),
  ).toBe(true)
  for (const kind of ['asset', 'health', 'data']) expect(routes).toContain(kind)
})

test('a 429 increases the refusals of its policy', async () => {
  const before = sample((await scrape()).text, 'rate_limit_refusals_total{policy="ip"}')
  const ip = '203.0.113.42'
  for (let i = 0; i < 3; i++) expect((await from(ip)).status).toBe(200)
  expect((await from(ip)).status).toBe(429)
  expect(sample((await scrape()).text, 'rate_limit_refusals_total{policy="ip"}')).toBe(before + 1)
})

test('a brute-force lock counts as a refusal of its guard, as does each attempt it refuses', async () => {
  const series = 'rate_limit_refusals_total{policy="invitation"}'
  const before = sample((await scrape()).text, series)
  const link = (n: number) => new Client(ctx.origin).get(`/invitations/${'x'.repeat(42)}${n}`, { headers: { 'x-forwarded-for': '203.0.113.45' } })
  expect((await link(1)).status).toBe(404)
  expect((await link(2)).status, 'the second failure starts the lock').toBe(429)
  expect((await link(3)).status, 'refused while locked').toBe(429)
  expect(sample((await scrape()).text, series)).toBe(before + 2)
})

test('a blocked attack increases the security counters', async () => {
  const series = 'security_findings_total{type="XSS_ATTEMPT",severity="CRITICAL"}'
  const before = (await scrape()).text
  const attack = await new Client(ctx.origin).get('/login?q=%3Cscript%3E', { headers: { 'x-forwarded-for': '203.0.113.43' } })
  expect(attack.status).toBe(403)
  const after = (await scrape()).text
  expect(sample(after, series)).toBe(sample(before, series) + 1)
  expect(sample(after, 'security_requests_blocked_total')).toBe(sample(before, 'security_requests_blocked_total') + 1)
})

test("the app's own port does not serve metrics", async () => {
  const response = await new Client(ctx.origin).get('/metrics', { headers: { 'x-forwarded-for': '203.0.113.44' } })
  expect(response.status).toBe(404)
  expect(await response.text()).not.toContain('# TYPE')
  expect((await fetch(`${metrics.origin}/`)).status, 'and the metrics listener serves nothing else').toBe(404)
})
