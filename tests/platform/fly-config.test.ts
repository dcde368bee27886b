/**
 * fly.toml against what the app does: Fly kills a machine at kill_timeout,
 * so the app's own shutdown budget must end first; the probes it names exist
 * with their meaning; the release command is the migration.
 */
import { readFile } from 'node:fs/promises'
import { expect, test } from 'vitest'
import { parseConfig } from '~/lib/config.server'

const flyToml = () => readFile('fly.toml', 'utf8')
const setting = (text: string, name: string) => new RegExp(`^\\s*${name}\\s*=\\s*"?([^"\\n]+)"?`, 'm').exec(text)?.[1]

test('the shutdown budget ends before Fly kills the machine', async () => {
  const text = await flyToml()
  const killSeconds = Number(/^(\d+)s$/.exec(setting(text, 'kill_timeout') ?? '')?.[1])
  const shutdownMs = parseConfig({ NODE_ENV: 'test', SHUTDOWN_TIMEOUT_MS: setting(text, 'SHUTDOWN_TIMEOUT_MS') }).SHUTDOWN_TIMEOUT_MS
  expect(killSeconds).toBeGreaterThan(0)
  // Room for the hooks and for closing the pools after the requests in flight.
  expect(shutdownMs + 5_000).toBeLessThanOrEqual(killSeconds * 1000)
  expect(setting(text, 'kill_signal')).toBe('SIGTERM')
})

test('Fly routes by /readyz, watches /healthz, and migrates in the release command', async () => {
  const text = await flyToml()
  const serviceChecks = text.slice(text.indexOf('[[http_service.checks]]'), text.indexOf('[checks.alive]'))
  expect(setting(serviceChecks, 'path')).toBe('/readyz')
  expect(setting(text.slice(text.indexOf('[checks.alive]')), 'path')).toBe('/healthz')
  expect(setting(text, 'release_command')).toBe('node --import tsx scripts/migrate.ts up')
  expect(setting(text, 'METRICS_PORT')).toBe(setting(text.slice(text.indexOf('[metrics]')), 'port'))
  expect(text).not.toMatch(/TRUST_PROXY\s*=/)
})
