/**
 * npm run generate:types — regenerates db/types/ from db/migrations.
 * Uses a temporary database on DATABASE_URL's server, or an embedded one when unset.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateTypes } from '../db/generate-types'

const outputDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'db', 'types')
const started = performance.now()
await generateTypes(outputDir)
console.log(`wrote ${path.relative(process.cwd(), outputDir) || outputDir} in ${((performance.now() - started) / 1000).toFixed(1)}s`)
