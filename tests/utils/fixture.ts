import { setTimeout } from 'node:timers/promises'
import type pg from 'pg'
import type { DatabasePool } from 'slonik'
import { afterAll, beforeAll } from 'vitest'
import type { Config } from '~/lib/config.server'
import { closePool } from '~/models/db.server'
import { startApp } from './app'
import { adminClient } from './db'

export type App = Awaited<ReturnType<typeof startApp>>
type StartOptions = Parameters<typeof startApp>[1]

export interface DatabaseContext {
  /** A superuser connection to the test database (adminClient()), for arranging and checking state. */
  readonly admin: pg.Client
}

export interface AppContext extends DatabaseContext {
  /** The real app (startApp()), on its own port. */
  readonly app: App
  /** The app's origin, `http://127.0.0.1:<port>`. */
  readonly origin: string
}

/** A field filled in beforeAll: reading it any earlier is a mistake in the test, said plainly. */
function filled<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`${name} is set in beforeAll: read it inside a test or hook, not while the file is collected`)
  return value
}

/**
 * Waits until the app's pool has been idle for a moment (at most 5 s): work
 * the app does after answering (a verification mail, a security event) must
 * not meet a closed pool and log an error after its test.
 */
async function poolSettled() {
  // The app's Slonik pool lives on globalThis (see app/models/db.server.ts), shared by the Remix build and the models tests import.
  const pool = await (globalThis as { __nextsaasPool?: Promise<DatabasePool> }).__nextsaasPool
  if (!pool) return
  const deadline = Date.now() + 5_000
  let quietSince = Date.now()
  while (Date.now() < deadline && Date.now() - quietSince < 100) {
    const state = pool.state()
    if (state.acquiredConnections > 0 || state.waitingClients > 0) quietSince = Date.now()
    await setTimeout(20)
  }
}

async function closeDatabase(admin: pg.Client | undefined) {
  await admin?.end()
  await poolSettled()
  await closePool()
}

/**
 * The database for this file: an admin connection opened in beforeAll; in
 * afterAll it is closed, and so is the app's pool (used by models the tests
 * call directly). For files that need no HTTP app.
 */
export function setupDatabase(): DatabaseContext {
  let admin: pg.Client | undefined
  beforeAll(async () => {
    admin = await adminClient()
  })
  afterAll(() => closeDatabase(admin))
  return {
    get admin() {
      return filled(admin, 'admin')
    },
  }
}

/**
 * The real app and the database for this file. In beforeAll: startApp(overrides,
 * options) and adminClient(); in afterAll: the app, the admin connection and
 * the pool are closed, in that order. `options` may be a function, called in
 * beforeAll, when it needs something an earlier beforeAll made (limiters).
 *
 *     const ctx = setupApp({ TRUST_PROXY: 1 })
 *     test('…', async () => {
 *       const response = await new Client(ctx.origin).get('/')
 *       await ctx.admin.query('select …')
 *     })
 *
 * Hooks registered after setupApp() run after it in beforeAll and before it in
 * afterAll, so a file's own setup can use the app and is torn down first.
 */
export function setupApp(overrides: Partial<Config> = {}, options: StartOptions | (() => StartOptions) = {}): AppContext {
  let app: App | undefined
  let admin: pg.Client | undefined
  beforeAll(async () => {
    app = await startApp(overrides, typeof options === 'function' ? options() : options)
    admin = await adminClient()
  })
  afterAll(async () => {
    await app?.close()
    await closeDatabase(admin)
  })
  return {
    get app() {
      return filled(app, 'app')
    },
    get origin() {
      return filled(app, 'app').origin
    },
    get admin() {
      return filled(admin, 'admin')
    },
  }
}
