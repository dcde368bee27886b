import type { AddressInfo } from 'node:net'
import { setTimeout } from 'node:timers/promises'
import type pg from 'pg'
import { pino } from 'pino'
import { getConfig, type Config } from '~/lib/config.server'
import type { RateLimits } from '~/rate-limit/limits.server'
import { loadServerBuild } from '~/server/build-output.server'
import type { DemoAccounts } from '~/server/demo-accounts.server'
import { createHttpApp } from '~/server/http.server'
import type { LiveUpdates } from '~/server/live-updates.server'
import { closeServices, createServices } from '~/server/services.server'

/** A line of the app's log, as pino writes it (JSON). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever the line holds
export type LogLine = { level: number; msg: string } & Record<string, any>

/**
 * The real app (Remix build + HTTP layer) on an ephemeral port, with
 * services (limiters, counters) of its own, as a process has. `overrides`
 * change settings for the HTTP layer only, such as NODE_ENV=production or
 * TRUST_PROXY; the Remix build keeps its own config. `rateLimits` gives the
 * app limiters made by the test (and closed by it); `demoAccounts` are handed
 * to the HTTP layer as `npm start` hands the seeded ones.
 *
 * The app logs errors to console.error, so that an unhandled error, a 5xx or
 * a failed background job fails the test during which it happened
 * (tests/setup/console-errors.ts). With `log`, every line at `log.level` and
 * above is also kept in `log.lines` (parsed), for tests of the log itself.
 */
export async function startApp(
  overrides: Partial<Config> = {},
  options: { rateLimits?: RateLimits | null; demoAccounts?: DemoAccounts; log?: { level: 'info' | 'debug'; lines: LogLine[] } } = {},
) {
  const build = await loadServerBuild()
  const config = { ...getConfig(), ...overrides }
  const logger = pino(
    { level: options.log?.level ?? 'error' },
    {
      write: (line: string) => {
        const parsed = JSON.parse(line) as LogLine
        options.log?.lines.push(parsed)
        if (parsed.level >= 50) console.error(line.trimEnd())
      },
    },
  )
  const services = createServices(config, logger, options)
  const server = createHttpApp({ build, config, logger, services, demoAccounts: options.demoAccounts }).listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  await listenerConnected(services.liveUpdates)
  return {
    origin,
    services,
    async close() {
      // As a stopping process does: long-lived streams end before the server waits for its connections.
      await services.lifecycle.beginShutdown()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      if (options.rateLimits === undefined) await closeServices(services)
    },
  }
}

/** As a load balancer waits for /readyz: a change made before the listener listens would never be announced. */
async function listenerConnected(liveUpdates: LiveUpdates | null) {
  for (const deadline = Date.now() + 10_000; liveUpdates && !liveUpdates.ready();) {
    if (Date.now() > deadline) throw new Error('the change listener did not connect within 10 s')
    await setTimeout(20)
  }
}

/**
 * A browser-like client: keeps its cookie, sends Origin on posts, never follows
 * redirects. `headers` go with every request (a user agent, the address a
 * trusted proxy reports) and may be changed between requests.
 */
export class Client {
  cookie = ''
  constructor(
    readonly origin: string,
    public headers: Record<string, string> = {},
  ) {}

  async request(pathname: string, init: RequestInit = {}) {
    const headers = new Headers(init.headers)
    for (const [name, value] of Object.entries(this.headers)) if (!headers.has(name)) headers.set(name, value)
    if (this.cookie && !headers.has('cookie')) headers.set('cookie', this.cookie)
    if (init.method && init.method !== 'GET' && !headers.has('origin')) headers.set('origin', this.origin)
    const response = await fetch(new URL(pathname, this.origin), { ...init, headers, redirect: 'manual' })
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair] = setCookie.split(';')
      const value = pair!.slice(pair!.indexOf('=') + 1)
      this.cookie = value ? pair! : ''
    }
    return response
  }

  get(pathname: string, init: RequestInit = {}) {
    return this.request(pathname, init)
  }

  post(pathname: string, fields: Record<string, string>, init: RequestInit = {}) {
    return this.request(pathname, { ...init, method: 'POST', body: new URLSearchParams(fields) })
  }
}

let counter = 0
/** Unique, readable test identities. */
export function uniqueEmail(label = 'user') {
  return `${label}-${process.pid}-${Date.now().toString(36)}-${++counter}@example.test`
}

export const PASSWORD = 'correct horse battery staple'

export async function signedUpClient(origin: string, name = 'Test User') {
  const client = new Client(origin)
  const email = uniqueEmail(name.split(' ')[0]!.toLowerCase())
  const response = await client.post('/signup', { name, email, password: PASSWORD })
  if (response.status !== 302) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`)
  return Object.assign(client, { email })
}

/** A signed-up client who knows their user id too, for tests that arrange rows about them. */
export type Person = Client & { email: string; id: string }

export async function signedUpPerson(origin: string, admin: Pick<pg.Client, 'query'>, name: string): Promise<Person> {
  const client = await signedUpClient(origin, name)
  const found = await admin.query<{ id: string }>('select id from auth.users where email = $1', [client.email])
  return Object.assign(client, { id: found.rows[0]!.id })
}

export async function createOrg(client: Client, name: string) {
  const response = await client.post('/orgs/new', { name })
  if (response.status !== 302) throw new Error(`create organization failed: ${response.status}`)
  return decodeURIComponent(response.headers.get('location')!.split('/').pop()!)
}
