/**
 * npm run generate:api-types — writes app/api/openapi.d.ts, the TypeScript
 * types of the JSON API, from the OpenAPI document /api/openapi.json serves.
 * A client (openapi-fetch) typed with them breaks at compile time when the
 * contract changes; tests/platform/generated-types.test.ts fails when the
 * committed file is stale.
 */
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import openapiTS, { astToString } from 'openapi-typescript'

export const API_TYPES_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'app', 'api', 'openapi.d.ts')

const HEADER = `/**
 * The JSON API's types, generated from /api/openapi.json by \`npm run generate:api-types\`
 * (openapi-typescript). Do not edit: change the routes and app/api/openapi.server.ts, then regenerate.
 */

`

/** The types file for an OpenAPI document, as committed. */
export async function apiTypes(document: object): Promise<string> {
  // A field with a default may be left out of a request: optional, not required.
  return HEADER + astToString(await openapiTS(document as Parameters<typeof openapiTS>[0], { defaultNonNullable: false }))
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { openApiDocument } = await import('~/api/openapi.server')
  await writeFile(API_TYPES_FILE, await apiTypes(openApiDocument()))
  console.log(`wrote ${path.relative(process.cwd(), API_TYPES_FILE)}`)
}
