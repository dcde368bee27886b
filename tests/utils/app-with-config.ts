import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ServerBuild } from '@remix-run/node'
import { pino } from 'pino'
import type { RateLimits } from '~/rate-limit/limits.server'
import { createHttpApp } from '~/server/http.server'
import { getConfig, type Config } from '~/utils/config.server'

/**
 * The real app with some settings changed for the HTTP layer only, such as
 * NODE_ENV=production or TRUST_PROXY; the Remix build keeps its own config.
 * `rateLimits` gives the HTTP layer limiters of its own, as another process has.
 */
export async function startAppWith(overrides: Partial<Config>, options: { rateLimits?: RateLimits | null } = {}) {
  const build = (await import(pathToFileURL(path.resolve('build/index.js')).href)) as ServerBuild
  const app = createHttpApp({
    build,
    config: { ...getConfig(), ...overrides },
    logger: pino({ level: 'silent' }),
    rateLimits: options.rateLimits,
  })
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
