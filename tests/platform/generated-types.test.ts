import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import { generateTypes } from '../../db/generate-types'

const COMMITTED = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'db', 'types')

/** Every file under `dir`, by relative path; a missing dir reads as empty. */
async function readTree(dir: string): Promise<Record<string, string>> {
  const names = await readdir(dir, { recursive: true }).catch(() => [])
  const files: Record<string, string> = {}
  for (const name of names.sort()) {
    const file = path.join(dir, name)
    if ((await stat(file)).isFile()) files[name.split(path.sep).join('/')] = await readFile(file, 'utf8')
  }
  return files
}

// Uses DATABASE_URL's server when set, else an embedded one (as the generator does).
test('db/types is up to date with db/migrations', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nextsaas-types-test-'))
  try {
    await generateTypes(dir)
    const [fresh, committed] = await Promise.all([readTree(dir), readTree(COMMITTED)])
    expect(Object.keys(fresh).length, 'the generator wrote no files').toBeGreaterThan(0)
    expect(committed, 'db/types/ is stale: run `npm run generate:types` and commit the result').toEqual(fresh)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
