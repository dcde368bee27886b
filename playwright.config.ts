import { existsSync } from 'node:fs'
import { defineConfig, devices } from '@playwright/test'

/** Not 3000, so a running dev server never answers for the app under test. */
const PORT = Number(process.env.E2E_PORT ?? 3100)
const BASE_URL = `http://127.0.0.1:${PORT}`
const SERVE = 'node --import tsx e2e/serve.ts'

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  fullyParallel: true,
  workers: 2,
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list']],
  // Generous: on a loaded 2-core machine a journey (several argon2 hashes,
  // full page loads without JavaScript) can take tens of seconds.
  timeout: 90_000,
  expect: { timeout: 10_000 },
  use: {
    ...devices['Desktop Chrome'],
    baseURL: BASE_URL,
    // Debian's Chromium; Playwright never downloads a browser for this project.
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  // The same journeys with and without JavaScript: every form must work both ways.
  projects: [
    { name: 'chromium-js', use: { javaScriptEnabled: true } },
    // CSP violations come from scripts: the CSP spec runs with JavaScript only.
    { name: 'chromium-nojs', use: { javaScriptEnabled: false }, testIgnore: /csp\.spec\.ts/ },
  ],
  webServer: {
    command: existsSync('build/server/index.js') ? SERVE : `npm run build && ${SERVE}`,
    url: `${BASE_URL}/readyz`,
    reuseExistingServer: false,
    timeout: 120_000,
    env: {
      PORT: String(PORT),
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
      // Journeys click faster than people: keep the member limit out of their way.
      RATE_LIMIT_MAX_REQUESTS: '2000',
    },
    // serve.ts drops its database and stops an embedded PostgreSQL on SIGTERM.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
  },
})
