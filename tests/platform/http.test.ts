import { expect, test } from 'vitest'
import { setupApp } from '../utils/fixture'

const ctx = setupApp()

test('liveness and readiness answer in the documented shape', async () => {
  const live = await fetch(new URL('/healthz', ctx.origin))
  expect(live.status).toBe(200)
  const body = await live.json()
  expect(body).toEqual({ status: 'alive', timestamp: expect.any(String) })
  expect(new Date(body.timestamp).getTime()).not.toBeNaN()
  const ready = await fetch(new URL('/readyz', ctx.origin))
  expect(ready.status).toBe(200)
  expect(await ready.json()).toMatchObject({ status: 'ready', failing: [], checks: { database: { status: 'ok' } } })
})

test('every response carries a traceId, reusing a well-formed x-request-id', async () => {
  const generated = await fetch(new URL('/', ctx.origin))
  expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  const echoed = await fetch(new URL('/', ctx.origin), { headers: { 'x-request-id': 'trace-123' } })
  expect(echoed.headers.get('x-request-id')).toBe('trace-123')
  const hostile = await fetch(new URL('/', ctx.origin), { headers: { 'x-request-id': 'bad id <script>' } })
  expect(hostile.headers.get('x-request-id')).not.toContain('<')
})

test('an unknown page is a 404 page with the traceId', async () => {
  const response = await fetch(new URL('/no/such/page', ctx.origin))
  expect(response.status).toBe(404)
  const html = await response.text()
  expect(html).toContain('We could not find that page.')
  expect(html).toContain(response.headers.get('x-request-id')!)
  const posted = await fetch(new URL('/no/such/page', ctx.origin), {
    method: 'POST',
    headers: { origin: ctx.origin },
    body: new URLSearchParams({ a: 'b' }),
  })
  expect(posted.status).toBe(404)
})

test('a form body that does not parse is a 400 page, not a 500', async () => {
  const response = await fetch(new URL('/signup', ctx.origin), {
    method: 'POST',
    body: '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\nbroken',
    headers: { origin: ctx.origin, 'content-type': 'multipart/form-data; boundary=x' },
  })
  expect(response.status).toBe(400)
  expect(await response.text()).toContain('The form could not be read')
})

test('a body over the limit is refused with 413 before it is read', async () => {
  const response = await fetch(new URL('/login', ctx.origin), {
    method: 'POST',
    body: 'x'.repeat(1024 * 1024 + 1),
    headers: { origin: ctx.origin, 'content-type': 'application/x-www-form-urlencoded' },
  })
  expect(response.status).toBe(413)
})
