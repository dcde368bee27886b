import { configDefaults, defineConfig } from 'vitest/config'
import base from './vitest.config'

/**
 * `npm run test:citus`: the suites that use the database — tenancy, API,
 * account, rate limits, security, platform — and the Citus suite, against a
 * real Citus cluster (tests/setup/global-citus.ts) instead of a throwaway
 * database, with the app in its Citus mode. Left out: live updates, which the
 * cluster does not announce yet (docs/decisions/005-citus-distribution.md),
 * and the regions suites, which start clusters of their own. Needs citus.so
 * (../shared/citus/build.sh).
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['tests/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'tests/realtime/**', 'tests/regions/**'],
    globalSetup: ['tests/setup/global-citus.ts'],
    env: { DATABASE_CITUS: 'true' },
    // One cluster on two shared cores: one file at a time.
    fileParallelism: false,
  },
})
