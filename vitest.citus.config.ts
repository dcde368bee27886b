import { configDefaults, defineConfig } from 'vitest/config'
import base from './vitest.config'

/** The NOTIFY payloads of the tables' own triggers, changed by hand: off on Citus, where the audit trail announces the app's changes. */
const TABLE_TRIGGERS = ['tests/realtime/notify-payload.test.ts']

/**
 * `npm run test:citus`: the suites that use the database — tenancy, API,
 * account, rate limits, security, platform, live updates of the app's
 * changes — and the Citus suite, against a real Citus cluster
 * (tests/setup/global-citus.ts) instead of a throwaway database, with the app
 * in its Citus mode. Left out: the tables' own live-update triggers (on
 * Citus the audit trail announces changes: decision 005), and the regions
 * suites, which start clusters of their own. Needs citus.so
 * (../shared/citus/build.sh).
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['tests/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...TABLE_TRIGGERS, 'tests/regions/**'],
    globalSetup: ['tests/setup/global-citus.ts'],
    env: { DATABASE_CITUS: 'true' },
    // One cluster on two shared cores: one file at a time.
    fileParallelism: false,
  },
})
