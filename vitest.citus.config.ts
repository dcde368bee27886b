import { defineConfig } from 'vitest/config'
import base from './vitest.config'

/**
 * `npm run test:citus`: the tenancy suites, the Citus suite and HTTP journeys
 * against a real Citus cluster (tests/setup/global-citus.ts) instead of a
 * throwaway database, with the app in its Citus mode. Needs citus.so
 * (../shared/citus/build.sh).
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'tests/citus/**/*.test.ts',
      'tests/tenancy/**/*.test.ts',
      'tests/api/api-isolation.test.ts',
      'tests/api/api.test.ts',
      'tests/account/auth.test.ts',
      'tests/account/account.test.ts',
    ],
    exclude: [],
    globalSetup: ['tests/setup/global-citus.ts'],
    env: { DATABASE_CITUS: 'true' },
    // One cluster on two shared cores: one file at a time.
    fileParallelism: false,
  },
})
