import { fileURLToPath } from 'node:url'
import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { alias: { '~': fileURLToPath(new URL('./app', import.meta.url)) } },
  test: {
    // tests/<area>/*.test.ts; tests/setup and tests/utils hold no tests.
    include: ['app/**/*.test.{ts,tsx}', 'tests/**/*.test.ts'],
    // tests/citus needs a Citus cluster: npm run test:citus (vitest.citus.config.ts).
    exclude: [...configDefaults.exclude, 'tests/citus/**'],
    globalSetup: ['tests/setup/global-database.ts'],
    // console-errors: a console.error during a test fails it unless the test expects it.
    setupFiles: ['tests/setup/env.ts', 'tests/setup/console-errors.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
})
