/**
 * Unexpected errors reach Sentry (msw plays its envelope endpoint) with the
 * request's traceId, route, user and organization — and nothing else of the
 * request: no cookies, headers, bodies or query strings, no mailed link's
 * token. Without SENTRY_DSN nothing is sent.
 */
import { EventEmitter } from 'node:events'
import { syncBuiltinESMExports } from 'node:module'
import { gunzipSync } from 'node:zlib'
import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { pino } from 'pino'
import { afterAll, beforeAll, expect, test, vi } from 'vitest'
import { getConfig, parseConfig } from '~/lib/config.server'
import { createErrorReports, watchProcess } from '~/server/error-reports.server'
import { apiCreateOrg, apiSignup } from '../utils/api'
import { createOrg, signedUpClient } from '../utils/app'
import { expectConsoleError } from '../utils/console'
import { setupApp } from '../utils/fixture'

const DSN = 'https://publickey@sentry.example.test/42'
interface SentryEvent {
  event_id: string
  tags?: Record<string, string>
  user?: Record<string, unknown>
  request?: Record<string, unknown>
  exception?: { values: { type: string; value: string }[] }
}
const envelopes: { raw: string; event: SentryEvent }[] = []

const sentry = setupServer(
  http.post('https://sentry.example.test/api/42/envelope/', async ({ request }) => {
    const body = Buffer.from(await request.arrayBuffer())
    const raw = (request.headers.get('content-encoding') === 'gzip' ? gunzipSync(body) : body).toString('utf8')
    const [, ...items] = raw.split('\n').filter(Boolean)
    for (let i = 0; i < items.length; i += 2) {
      if ((JSON.parse(items[i]!) as { type: string }).type === 'event') envelopes.push({ raw, event: JSON.parse(items[i + 1]!) as SentryEvent })
    }
    return HttpResponse.json({})
  }),
)
// The SDK's transport calls node:https through its ES module namespace, which
// sees msw's patch of the CommonJS module only once the two are synced.
beforeAll(() => {
  sentry.listen({ onUnhandledRequest: 'bypass' })
  syncBuiltinESMExports()
})
afterAll(() => {
  sentry.close()
  syncBuiltinESMExports()
})

const ctx = setupApp({ SENTRY_DSN: DSN })

/** The report of the request with this traceId, once it arrives. */
const reportOf = (traceId: string) =>
  vi.waitFor(
    () => {
      const found = envelopes.find((e) => e.event.tags?.traceId === traceId)
      if (!found) throw new Error(`no report for ${traceId}`)
      return found
    },
    { timeout: 5_000, interval: 20 },
  )

/** A workspace whose date the app cannot read: the organization's pages fail with an unexpected error. */
async function breakWorkspaces(organizationId: string) {
  await ctx.admin.query(`update workspaces set created_at = 'infinity' where organization_id = $1`, [organizationId])
}

test('a page’s unexpected error is reported with its traceId, route, user and organization, and no request data', async () => {
  expectConsoleError(/unhandled error/)
  expectConsoleError(/request errored/)
  const owner = await signedUpClient(ctx.origin, 'Sentry Owner')
  const slug = await createOrg(owner, 'Sentry Org')
  const { rows } = await ctx.admin.query<{ org: string; user: string }>(
    `select o.id as org, u.id as user from organizations o, auth.users u where o.slug = $1 and u.email = $2`,
    [slug, owner.email],
  )
  await breakWorkspaces(rows[0]!.org)

  const response = await owner.get(`/orgs/${slug}?page=1&secret=abc`, { headers: { 'user-agent': 'ReportAgent/1.0' } })
  expect(response.status).toBe(500)
  const traceId = response.headers.get('x-request-id')!
  const { raw, event } = await reportOf(traceId)
  expect(event.tags).toMatchObject({ traceId, routeId: 'routes/orgs.$org._index', organizationId: rows[0]!.org })
  expect(event.user).toEqual({ id: rows[0]!.user })
  expect(event.request).toEqual({ method: 'GET', url: `/orgs/${slug}` })
  expect(event.exception?.values.at(-1)?.value).toMatch(/do not conform with the schema/)
  const sessionToken = owner.cookie.split('=')[1]!
  for (const leak of [sessionToken, 'nextsaas_session', 'ReportAgent', 'secret=abc', owner.email]) expect(raw).not.toContain(leak)
})

test('an unexpected API error is reported with the API route', async () => {
  expectConsoleError(/unhandled API error/)
  expectConsoleError(/request errored/)
  const { client, user } = await apiSignup(ctx.origin, 'Sentry Api')
  const organizationId = await apiCreateOrg(client, 'Sentry Api Org')
  await breakWorkspaces(organizationId)
  const response = await client.get(`/api/organizations/${organizationId}/workspaces`)
  expect(response.status).toBe(500)
  const { raw, event } = await reportOf(response.body.error.traceId)
  expect(event.tags).toMatchObject({ routeId: 'routes/api.organizations.$orgId.workspaces', organizationId })
  expect(event.user).toEqual({ id: user.id })
  expect(raw).not.toContain(client.token!)
})

test('a mailed link’s token quoted in an error message is redacted', async () => {
  ctx.app.services.errors!.report(new Error('could not finish /reset-password/Zm9vYmFyYmF6cXV4cXV1eA for someone'), { traceId: 'manual-report-1' })
  const { raw, event } = await reportOf('manual-report-1')
  expect(event.exception?.values[0]?.value).toBe('could not finish /reset-password/[redacted] for someone')
  expect(raw).not.toContain('Zm9vYmFyYmF6cXV4cXV1eA')
})

test('unhandled rejections are logged and reported; the process goes on', async () => {
  const lines: string[] = []
  const target = Object.assign(new EventEmitter(), { exit: vi.fn() })
  watchProcess(pino({ level: 'error' }, { write: (line: string) => void lines.push(line) }), ctx.app.services.errors, target as never)
  target.emit('unhandledRejection', Object.assign(new Error('nobody awaited this'), { marker: 'rejection-7' }))
  expect(lines.join('')).toContain('unhandled rejection')
  await vi.waitFor(() => expect(envelopes.some((e) => e.event.exception?.values.some((v) => v.value === 'nobody awaited this'))).toBe(true))
  expect(target.exit).not.toHaveBeenCalled()
})

test('without SENTRY_DSN there is no reporter; a DSN the SDK would refuse is a configuration error', () => {
  expect(createErrorReports({ ...getConfig(), SENTRY_DSN: undefined })).toBeNull()
  expect(() => parseConfig({ SENTRY_DSN: 'https://public-key@sentry.example.test/42' } as never)).toThrow(/SENTRY_DSN/)
})
