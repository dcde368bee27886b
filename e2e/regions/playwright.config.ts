import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig } from '@playwright/test'
import base from '../../playwright.config'

/**
 * The regions journey, apart from the other browser tests: it needs a
 * primary, a streaming standby and two app processes (e2e/regions/serve.ts).
 * `npx playwright test -c e2e/regions/playwright.config.ts`
 */
const PORT = Number(process.env.E2E_REGIONS_PORT ?? 3200)
const BASE_URL = `http://127.0.0.1:${PORT}`
const SERVE = 'node --import tsx e2e/regions/serve.ts'
const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: /\.regions\.ts$/,
  outputDir: '../../test-results/regions',
  workers: 1,
  use: { ...base.use, baseURL: BASE_URL },
  projects: [
    { name: 'chromium-js', use: { javaScriptEnabled: true } },
    { name: 'chromium-nojs', use: { javaScriptEnabled: false } },
  ],
  webServer: {
    cwd: ROOT,
    command: existsSync(`${ROOT}/build/server/index.js`) ? SERVE : `npm run build && ${SERVE}`,
    url: `${BASE_URL}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    env: { E2E_REGIONS_PORT: String(PORT) },
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
  },
})
