import { spawnSync } from 'node:child_process'
import { expect, test } from 'vitest'

// A failed test run sets process.exitCode and lets the process end; the
// embedded PostgreSQL's exit hooks must not turn that into a success.
test('loading the embedded PostgreSQL keeps the exit code a process sets', () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', "await import('./db/embedded.ts'); process.exitCode = 3"], {
    encoding: 'utf8',
  })
  expect(child.stderr).toBe('')
  expect(child.status).toBe(3)
})
