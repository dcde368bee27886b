/**
 * A Citus cluster on loopback: a coordinator and two workers, each a
 * PostgreSQL 15 server from Debian's packages with the citus extension
 * (installed by ../shared/citus/build.sh). For `npm run dev:citus`,
 * `npm run test:citus` and `npm run bench:rls -- --citus`; never needed by
 * the single-server modes.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdir, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import pg from 'pg'

export const PG_BIN = process.env.CITUS_PG_BIN ?? '/usr/lib/postgresql/15/bin'

/** Is citus.so installed for the PostgreSQL the cluster runs? */
export function citusInstalled(): boolean {
  const libdir = path.join(PG_BIN, '..', 'lib')
  return existsSync(path.join(PG_BIN, 'postgres')) && existsSync(path.join(libdir, 'citus.so'))
}

export interface CitusCluster {
  /** Superuser URL of the cluster's database on the coordinator. */
  adminUrl: string
  coordinatorPort: number
  workerPorts: number[]
  stop(): Promise<void>
}

/** PostgreSQL refuses to run as root: as root, its programs run as the `postgres` system user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
  return { uid: id('-u'), gid: id('-g') }
}

function run(program: string, args: string[], home: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // HOME: libpq in the servers (Citus's own connections) looks there for client certificates.
    const child = spawn(path.join(PG_BIN, program), args, { ...runAs(), env: { ...process.env, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.once('error', reject)
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${program} ${args.join(' ')} failed (${code}):\n${output}`))))
  })
}

/**
 * The superuser is trusted on loopback (the operator's and Citus's own
 * connections); every other role logs in with its password, as in
 * production: the app's login, and the roles a transaction becomes, which
 * Citus logs in to the workers with the passwords in pg_dist_authinfo.
 */
const HBA = `local all all trust
host all postgres 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
`

function settings(port: number, socketDir: string) {
  return `
shared_preload_libraries = 'citus'
listen_addresses = '127.0.0.1'
port = ${port}
unix_socket_directories = '${socketDir}'
max_connections = 200
max_prepared_transactions = 200
wal_level = logical
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 64MB
log_min_messages = warning
citus.log_remote_commands = off
`
}

async function ensureEnterable(dir: string) {
  await mkdir(dir, { recursive: true })
  const { mode } = await stat(dir)
  if ((mode & 0o055) !== 0o055) await chmod(dir, (mode & 0o7777) | 0o055)
}

async function initNode(dir: string, port: number, home: string) {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const owner = runAs()
  if (owner) execFileSync('chown', [`${owner.uid}:${owner.gid}`, dir])
  await run('initdb', ['-D', dir, '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8'], home)
  await writeFile(path.join(dir, 'pg_hba.conf'), HBA)
  await writeFile(path.join(dir, 'postgresql.auto.conf'), settings(port, dir))
  if (owner) execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, dir])
}

const urlOf = (port: number, database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** The database with the extension, on one node. */
async function createCitusDatabase(port: number, database: string) {
  await withClient(urlOf(port, 'postgres'), async (client) => {
    const found = await client.query('select 1 from pg_database where datname = $1', [database])
    if (!found.rowCount) await client.query(`create database ${pg.escapeIdentifier(database)}`)
  })
  await withClient(urlOf(port, database), (client) => client.query('create extension if not exists citus'))
}

/**
 * Starts the cluster in `dir` (creating it the first time: initdb, the
 * extension, the coordinator and both workers in the metadata). With
 * `persistent: false` stop() removes the folder.
 */
export async function startCitusCluster(options: {
  dir: string
  ports: [coordinator: number, ...workers: number[]]
  database: string
  persistent: boolean
}): Promise<CitusCluster> {
  if (!citusInstalled()) throw new Error(`citus is not installed for ${PG_BIN}: run ../shared/citus/build.sh (as root) first`)
  const root = path.resolve(options.dir)
  await ensureEnterable(path.dirname(root))
  await ensureEnterable(root)
  const [coordinatorPort, ...workerPorts] = options.ports
  const nodes = options.ports.map((port, i) => ({ port, dir: path.join(root, i === 0 ? 'coordinator' : `worker${i}`) }))
  // Written once the nodes are in the metadata: a folder without it is set up again from scratch.
  const ready = path.join(root, 'cluster-ready')
  const fresh = !existsSync(ready)
  if (fresh) {
    await Promise.all(nodes.map((node) => rm(node.dir, { recursive: true, force: true })))
    await Promise.all(nodes.map((node) => initNode(node.dir, node.port, root)))
  }

  const started: typeof nodes = []
  const stopNodes = async () => {
    for (const node of started.reverse()) await run('pg_ctl', ['-D', node.dir, '-m', 'fast', '-w', 'stop'], root).catch(() => {})
  }
  try {
    for (const node of nodes) {
      await run('pg_ctl', ['-D', node.dir, '-l', path.join(node.dir, 'server.log'), '-w', '-t', '60', 'start'], root)
      started.push(node)
    }
    if (fresh) {
      for (const node of nodes) await createCitusDatabase(node.port, options.database)
      await withClient(urlOf(coordinatorPort, options.database), async (client) => {
        await client.query(`select citus_set_coordinator_host('127.0.0.1', $1)`, [coordinatorPort])
        for (const port of workerPorts) await client.query(`select citus_add_node('127.0.0.1', $1)`, [port])
      })
      await writeFile(ready, '')
    }
  } catch (error) {
    await stopNodes()
    throw error
  }
  return {
    adminUrl: urlOf(coordinatorPort, options.database),
    coordinatorPort,
    workerPorts,
    stop: async () => {
      await stopNodes()
      if (!options.persistent) await rm(root, { recursive: true, force: true })
    },
  }
}
