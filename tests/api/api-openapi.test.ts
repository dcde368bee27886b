/**
 * The OpenAPI document and the router agree: every API route file is in the
 * document with exactly the methods it answers, and every documented
 * operation has a route. The reference page shows every operation.
 */
import { readdir } from 'node:fs/promises'
import { beforeAll, expect, test } from 'vitest'
import { API_METHODS } from '~/api/route.server'
import { ApiClient, expectError } from '../utils/api'
import { setupApp } from '../utils/fixture'

const ctx = setupApp()
let api: ApiClient
let document: { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }

/** Route files that are not API operations: the catch-all 404, the document itself. */
const NOT_OPERATIONS = new Set(['api.$.ts', 'api.openapi[.json].ts'])

/** `api.organizations.$orgId.workspaces.ts` → `/api/organizations/{orgId}/workspaces`. */
function routePath(file: string) {
  return `/${file
    .replace(/\.ts$/, '')
    .split('.')
    .map((segment) => (segment.startsWith('$') ? `{${segment.slice(1)}}` : segment))
    .join('/')}`
}

async function apiRouteFiles() {
  const files = await readdir('app/routes')
  return files.filter((file) => file.startsWith('api.') && file.endsWith('.ts') && !NOT_OPERATIONS.has(file))
}

beforeAll(async () => {
  api = new ApiClient(ctx.origin)
  const response = await api.get('/api/openapi.json')
  expect(response.status).toBe(200)
  document = response.body
})

test('the document is OpenAPI 3.1 and every operation documents its success and its errors', () => {
  expect(document.openapi).toBe('3.1.0')
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const statuses = Object.keys(operation.responses)
      expect(
        statuses.some((s) => s.startsWith('2')),
        `${method} ${path}`,
      ).toBe(true)
      expect(statuses.filter((s) => s.startsWith('4')).length, `${method} ${path}`).toBeGreaterThan(0)
    }
  }
})

test('every API route file is in the document, and every documented path has a route file', async () => {
  const routes = (await apiRouteFiles()).map(routePath).sort()
  expect(routes.length).toBeGreaterThan(0)
  expect(Object.keys(document.paths).sort()).toEqual(routes)
})

test('each route answers exactly the methods the document lists (the others are 405)', async () => {
  const id = '00000000-0000-4000-8000-000000000000'
  for (const file of await apiRouteFiles()) {
    const template = routePath(file)
    const documented = new Set(Object.keys(document.paths[template] ?? {}).map((m) => m.toUpperCase()))
    const url = template.replace(/\{\w+\}/g, id)
    for (const method of API_METHODS) {
      const response = await api.request(method, url, method === 'GET' || method === 'DELETE' ? undefined : {})
      expect(response.status === 405, `${method} ${template} answered ${response.status}`).toBe(!documented.has(method))
      if (response.status === 405) {
        const allowed = [...documented].filter((m) => (API_METHODS as readonly string[]).includes(m))
        expect(
          response.headers
            .get('allow')
            ?.split(', ')
            .filter((m) => m !== 'HEAD')
            .sort(),
        ).toEqual(allowed.sort())
      }
    }
  }
})

test('the reference page lists every documented operation', async () => {
  const response = await fetch(new URL('/api/docs', ctx.origin))
  expect(response.status).toBe(200)
  const html = await response.text()
  const operations = Object.values(document.paths).reduce((n, item) => n + Object.keys(item).length, 0)
  expect(html.match(/data-testid="operation"/g)?.length).toBe(operations)
  for (const path of Object.keys(document.paths)) expect(html).toContain(path)
  // It lives under /api: other methods get the API's envelope, not an HTML error page.
  expectError(await api.post('/api/docs', {}), 405, 'METHOD_NOT_ALLOWED')
})
