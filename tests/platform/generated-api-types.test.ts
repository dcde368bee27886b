import { readFile } from 'node:fs/promises'
import { expect, test } from 'vitest'
import { API_TYPES_FILE, apiTypes } from '../../scripts/generate-api-types'
import { setupApp } from '../utils/fixture'

const ctx = setupApp()

// The typed client in tests/utils/typed-api.ts compiles against this file: stale, it would test an old contract.
test('app/api/openapi.d.ts is up to date with /api/openapi.json', async () => {
  const response = await fetch(`${ctx.origin}/api/openapi.json`)
  expect(response.status).toBe(200)
  const fresh = await apiTypes(await response.json())
  expect(await readFile(API_TYPES_FILE, 'utf8'), 'app/api/openapi.d.ts is stale: run `npm run generate:api-types` and commit the result').toBe(fresh)
})
