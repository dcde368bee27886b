/**
 * A PostgreSQL primary and a streaming hot standby on loopback, made with
 * Debian's PostgreSQL binaries (`initdb`, `pg_basebackup -R -X stream`) in a
 * temporary folder: the database side of `npm run dev:regions`, of the
 * regions test and of `npm run bench:regions`. The primary is migrated before
 * the standby is copied from it, so both hold the schema and the app login.
 */
import { execFile } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import net, { type AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { APP_DB_ROLE } from '~/lib/config.server'
import { migrate } from '../../db/migrate'
import { uniqueDatabaseName } from '../../db/unique-name'

const run = promisify(execFile)

/** The app login's password in this throwaway cluster (the dev default would do; a name of its own says where it is used). */
export const CLUSTER_APP_PASSWORD = 'nextsaas-regions-app-password'

/** Debian's PostgreSQL binaries (PG_BIN_DIR, else the newest /usr/lib/postgresql/<version>/bin with initdb and pg_basebackup), or null. */
export function postgresBinaries(): string | null {
  const candidates = process.env.PG_BIN_DIR
    ? [process.env.PG_BIN_DIR]
    : existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .sort((a, b) => Number(b) - Number(a))
          .map((version) => `/usr/lib/postgresql/${version}/bin`)
      : []
  return candidates.find((dir) => ['initdb', 'pg_ctl', 'pg_basebackup'].every((tool) => existsSync(path.join(dir, tool)))) ?? null
}

/** A port the OS says is free now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user. */
function postgresUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'))
  if (!line) throw new Error('running as root needs a postgres user to run PostgreSQL as')
  const [, , uid, gid] = line.split(':')
  return { uid: Number(uid), gid: Number(gid) }
}

export interface Cluster {
  /** Superuser URLs of the cluster's database (a name of its own per cluster). */
  primaryUrl: string
  standbyUrl: string
  /** The app login's URL on either server. */
  appUrl(server: 'primary' | 'standby'): string
  /** The standby's server log (a refused write shows there as "read-only transaction"). */
  standbyLog(): string
  pauseReplay(): Promise<void>
  resumeReplay(): Promise<void>
  stopStandby(): Promise<void>
  startStandby(): Promise<void>
  /** Stops both servers and removes the folder. */
  stop(): Promise<void>
}

export async function startCluster(options: { log?: (line: string) => void } = {}): Promise<Cluster> {
  const bin = postgresBinaries()
  if (!bin) throw new Error("PostgreSQL binaries not found: install Debian's postgresql package, or set PG_BIN_DIR")
  const log = options.log ?? (() => {})
  const owner = postgresUser()
  const base = mkdtempSync(path.join(os.tmpdir(), 'nextsaas-regions-'))
  chmodSync(base, 0o755)
  if (owner) chownSync(base, owner.uid, owner.gid)
  const dirs = { primary: path.join(base, 'primary'), standby: path.join(base, 'standby') }
  const ports = { primary: await freePort(), standby: await freePort() }
  const logs = { primary: path.join(base, 'primary.log'), standby: path.join(base, 'standby.log') }

  const databaseName = uniqueDatabaseName('nextsaas')
  const tool = (name: string, args: string[]) => run(path.join(bin, name), args, { ...(owner ?? {}), cwd: base })
  const url = (server: 'primary' | 'standby', login = 'postgres', password = '') =>
    `postgres://${login}${password ? `:${password}` : ''}@127.0.0.1:${ports[server]}/${databaseName}`
  const start = (server: 'primary' | 'standby') =>
    tool('pg_ctl', [
      '-D',
      dirs[server],
      '-l',
      logs[server],
      '-w',
      '-o',
      `-p ${ports[server]} -k ${base} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c hot_standby_feedback=on`,
      'start',
    ])
  const stop = (server: 'primary' | 'standby') => tool('pg_ctl', ['-D', dirs[server], '-m', 'fast', '-w', 'stop']).catch(() => {})
  const superuser = async <T>(server: 'primary' | 'standby', fn: (client: pg.Client) => Promise<T>, database = databaseName) => {
    const client = new pg.Client({ connectionString: url(server).replace(`/${databaseName}`, `/${database}`) })
    await client.connect()
    try {
      return await fn(client)
    } finally {
      await client.end()
    }
  }

  try {
    await tool('initdb', ['-D', dirs.primary, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions'])
    await start('primary')
    log(`primary PostgreSQL on 127.0.0.1:${ports.primary}`)
    await superuser('primary', (client) => client.query(`create database ${databaseName}`), 'postgres')
    await migrate({ databaseUrl: url('primary'), direction: 'up', appPassword: CLUSTER_APP_PASSWORD })
    await tool('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(ports.primary),
      '-U',
      'postgres',
      '-D',
      dirs.standby,
      '-R',
      '-X',
      'stream',
      '--checkpoint=fast',
      '--no-sync',
    ])
    await start('standby')
    log(`standby PostgreSQL on 127.0.0.1:${ports.standby}, streaming from the primary`)
  } catch (error) {
    await stop('standby')
    await stop('primary')
    rmSync(base, { recursive: true, force: true })
    throw error
  }

  return {
    primaryUrl: url('primary'),
    standbyUrl: url('standby'),
    appUrl: (server) => url(server, APP_DB_ROLE, CLUSTER_APP_PASSWORD),
    standbyLog: () => (existsSync(logs.standby) ? readFileSync(logs.standby, 'utf8') : ''),
    pauseReplay: () => superuser('standby', (client) => client.query('select pg_wal_replay_pause()')).then(() => {}),
    resumeReplay: () => superuser('standby', (client) => client.query('select pg_wal_replay_resume()')).then(() => {}),
    stopStandby: () => stop('standby').then(() => {}),
    startStandby: () => start('standby').then(() => {}),
    async stop() {
      await stop('standby')
      await stop('primary')
      rmSync(base, { recursive: true, force: true })
    },
  }
}
