/**
 * The HTTP load harness bench:api and bench:pages share: a throwaway database
 * seeded with tenants, the servers of scripts/bench/servers.ts in a child
 * process (optionally behind a latency proxy to PostgreSQL), autocannon
 * rounds that alternate the variants, and the per-request counts the child
 * reports (statements sent to PostgreSQL, server CPU).
 */
import { fork, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import os from 'node:os'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import pg from 'pg'
import { appDatabaseUrl, parseConfig } from '~/lib/config.server'
import { SERVER_BUILD_FILE } from '~/server/build-output.server'
import { openThrowawayDatabase } from '../../db/throwaway'
import { seedTenants } from './seed'
import { median } from './stats'

/** The options every HTTP benchmark takes. */
export function loadOptions() {
  const { values } = parseArgs({
    options: {
      organizations: { type: 'string', default: '10000' },
      tenants: { type: 'string', default: '1000' },
      connections: { type: 'string', default: '20' },
      duration: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '3' },
      'db-latency': { type: 'string', default: '0' },
      /** One variant only, by key: to profile it alone with BENCH_PROF=1. */
      only: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  })
  const number = (name: keyof typeof values, min: number) => {
    const value = Number(values[name])
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got ${values[name]}`)
    return value
  }
  const organizations = number('organizations', 1)
  return {
    organizations,
    tenants: Math.min(number('tenants', 1), organizations),
    connections: number('connections', 1),
    duration: number('duration', 1),
    rounds: number('rounds', 1),
    dbLatencyMs: number('db-latency', 0),
    only: values.only,
    json: values.json,
  }
}
export type LoadOptions = ReturnType<typeof loadOptions>

/** The client every request names, the one the sessions were signed in with. */
export const USER_AGENT = 'nextsaas-bench/1.0'

export interface Target {
  path: string
  headers: Record<string, string>
}

export interface Variant {
  key: string
  name: string
  origin: string
  targets: readonly Target[]
  /** The status every answer should have. */
  status: number
}

interface Round {
  /** Statements sent to PostgreSQL per request: round trips, in effect. */
  statements: number
  cpuMs: number
  requests: number
  seconds: number
  p50: number
  p99: number
  failed: number
}

export interface Summary {
  key: string
  name: string
  reqPerSec: number
  p50Ms: number
  p99Ms: number
  statementsPerRequest: number
  cpuMsPerRequest: number
  failed: number
}

/** A seeded organization's owner, signed in with a session of their own. */
export interface Tenant {
  organizationId: string
  slug: string
  token: string
}

/** Sessions for `options.tenants` of the seeded owners (scripts/bench/seed.ts). */
export async function signIn(admin: pg.Client, options: Pick<LoadOptions, 'tenants' | 'organizations'>): Promise<Tenant[]> {
  const picked = new Set<number>()
  while (picked.size < options.tenants) picked.add(1 + Math.floor(Math.random() * options.organizations))
  const owners = [...picked].map((o) => ({ o, token: randomBytes(32).toString('base64url') }))
  await admin.query(
    `insert into auth.sessions (id, user_id, expires_at, user_agent)
     select s.id, md5('user:' || s.o)::uuid, now() + interval '30 days', $3
     from unnest($1::text[], $2::int[]) as s(id, o)`,
    [owners.map((x) => createHash('sha256').update(x.token).digest('hex')), owners.map((x) => x.o), USER_AGENT],
  )
  return owners.map(({ o, token }) => ({
    organizationId: createHash('md5')
      .update(`org:${o}`)
      .digest('hex')
      .replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-'),
    slug: `org-${o}`,
    token,
  }))
}

/** A child process of ours, started with tsx, that reports a value over IPC once it is ready. */
function start<T>(script: string, env: NodeJS.ProcessEnv, profile = false): Promise<{ child: ChildProcess; ready: T }> {
  const child = fork(script, [], {
    execArgv: ['--import', 'tsx', ...(profile ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [])],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env,
  })
  return new Promise((resolve, reject) => {
    child.once('message', (ready) => resolve({ child, ready: ready as T }))
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)))
  })
}

/** Asks a child to finish (it exits when its IPC channel closes); one that has not exited within 5 s is killed. */
async function stop(child: ChildProcess | undefined) {
  if (!child?.connected) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.disconnect()
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
  await exited
  clearTimeout(timer)
}

/** The same URL, reached through the latency proxy. */
const through = (url: string, port: number) => Object.assign(new URL(url), { hostname: '127.0.0.1', port: String(port) }).toString()

/**
 * Seeds a throwaway database, signs in owners and starts the servers; `run`
 * gets their ports and the signed-in tenants. Everything is removed after.
 */
export async function withServers<T>(options: LoadOptions, run: (servers: Servers) => Promise<T>): Promise<T> {
  if (!existsSync(SERVER_BUILD_FILE)) throw new Error('no build: run `npm run build` first')
  const database = await openThrowawayDatabase('nextsaas_bench')
  const children: ChildProcess[] = []
  database.onDispose(() => Promise.all(children.map(stop)))
  const log = options.json ? () => {} : (line = '') => console.log(line)
  try {
    const admin = new pg.Client({ connectionString: database.url })
    await admin.connect()
    const shape = { organizations: options.organizations, workspacesPerOrganization: 10, projectsPerWorkspace: 10 }
    log(`Seeding ${options.organizations.toLocaleString('en')} organizations × 10 workspaces × 10 projects`)
    await seedTenants(admin, shape, log)
    await admin.query('vacuum analyze')
    const tenants = await signIn(admin, options)
    await admin.end()

    const config = parseConfig(process.env)
    let appUrl = appDatabaseUrl({ ...config, APP_DATABASE_URL: undefined, DATABASE_URL: database.url })
    let superuserUrl = database.url
    if (options.dbLatencyMs > 0) {
      const target = new URL(database.url)
      const proxy = await start<{ port: number }>('scripts/bench/latency-proxy.ts', {
        ...process.env,
        PROXY_TARGET: `${target.hostname}:${target.port || 5432}`,
        PROXY_DELAY_MS: String(options.dbLatencyMs),
      })
      children.push(proxy.child)
      appUrl = through(appUrl, proxy.ready.port)
      superuserUrl = through(superuserUrl, proxy.ready.port)
    }
    // Production settings, as `npm start` runs with them. Rate limits stay on
    // (their cost is part of the path) in the in-process store, set high
    // enough that the load itself is never refused.
    const limits = Object.fromEntries(
      ['MAX_REQUESTS', 'BURST', 'ORG_MAX_REQUESTS', 'ORG_BURST', 'IP_MAX_REQUESTS', 'GLOBAL_MAX_REQUESTS'].map((n) => [`RATE_LIMIT_${n}`, '1000000']),
    )
    const servers = await start<{ full: number; bare: number }>(
      'scripts/bench/servers.ts',
      {
        ...process.env,
        ...limits,
        NODE_ENV: 'production',
        APP_URL: 'https://bench.example.test',
        DATABASE_URL: database.url,
        APP_DATABASE_URL: appUrl,
        BENCH_SUPERUSER_URL: superuserUrl,
        RATE_LIMIT_STORE: 'memory',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      },
      Boolean(process.env.BENCH_PROF),
    )
    children.push(servers.child)
    return await run({
      child: servers.child,
      full: `http://127.0.0.1:${servers.ready.full}`,
      bare: `http://127.0.0.1:${servers.ready.bare}`,
      tenants,
    })
  } finally {
    await database.dispose()
  }
}

export interface Servers {
  child: ChildProcess
  /** The app as `npm start` serves it. */
  full: string
  /** node:http running listWorkspaces()'s SQL as the superuser. */
  bare: string
  tenants: Tenant[]
}

function counters(child: ChildProcess): Promise<{ statements: number; cpuMs: number }> {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve(message as { statements: number; cpuMs: number }))
    child.send('count')
  })
}

function fire(variant: Variant, seconds: number, connections: number): Promise<Omit<Round, 'statements' | 'cpuMs'>> {
  let next = 0
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: variant.origin,
        connections,
        duration: seconds,
        requests: [
          {
            setupRequest: (request) => {
              const target = variant.targets[next++ % variant.targets.length]!
              return { ...request, path: target.path, headers: { ...request.headers, 'user-agent': USER_AGENT, ...target.headers } }
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error)
        resolve({
          requests: result.requests.total,
          seconds: result.duration,
          p50: result.latency.p50,
          p99: result.latency.p99,
          failed: result.requests.total - (result.statusCodeStats[variant.status]?.count ?? 0) + result.errors + result.timeouts,
        })
      },
    )
  })
}

async function round(child: ChildProcess, variant: Variant, options: LoadOptions): Promise<Round> {
  const before = await counters(child)
  const result = await fire(variant, options.duration, options.connections)
  const after = await counters(child)
  const requests = Math.max(1, result.requests)
  return { ...result, statements: (after.statements - before.statements) / requests, cpuMs: (after.cpuMs - before.cpuMs) / requests }
}

function summarize(variant: Variant, rounds: readonly Round[]): Summary {
  const requests = Math.max(
    1,
    rounds.reduce((n, r) => n + r.requests, 0),
  )
  return {
    key: variant.key,
    name: variant.name,
    reqPerSec: rounds.reduce((n, r) => n + r.requests, 0) / rounds.reduce((n, r) => n + r.seconds, 0),
    p50Ms: median(rounds.map((r) => r.p50)),
    p99Ms: median(rounds.map((r) => r.p99)),
    statementsPerRequest: rounds.reduce((n, r) => n + r.statements * r.requests, 0) / requests,
    cpuMsPerRequest: rounds.reduce((n, r) => n + r.cpuMs * r.requests, 0) / requests,
    failed: rounds.reduce((n, r) => n + r.failed, 0),
  }
}

/** Warms every variant up, then measures them in alternating order, round after round. */
export async function measure(servers: Servers, all: readonly Variant[], options: LoadOptions): Promise<Summary[]> {
  const variants = options.only ? all.filter((v) => v.key === options.only) : all
  if (!variants.length) throw new Error(`--only must be one of ${all.map((v) => v.key).join(', ')}`)
  const log = options.json ? () => {} : (line = '') => console.log(line)
  log()
  log(
    `autocannon: ${options.connections} connections, ${options.rounds} alternating rounds of ${options.duration} s per variant, ${servers.tenants.length} tenants`,
  )
  if (options.dbLatencyMs) log(`the servers reach PostgreSQL through a proxy adding ${options.dbLatencyMs} ms each way`)
  log(`node ${process.version}; ${os.cpus().length} CPUs; PostgreSQL, load generator and servers share them`)
  const loadBefore = os.loadavg()[0]!
  for (const variant of variants) await fire(variant, 3, options.connections) // JIT, pools, caches
  const rounds: Round[][] = variants.map(() => [])
  for (let r = 0; r < options.rounds; r++) {
    const order = variants.map((_, v) => v)
    if (r % 2 === 1) order.reverse()
    for (const v of order) rounds[v]!.push(await round(servers.child, variants[v]!, options))
  }
  log(`load average (1 min) ${loadBefore.toFixed(2)} before, ${os.loadavg()[0]!.toFixed(2)} after`)
  const summaries = variants.map((variant, v) => summarize(variant, rounds[v]!))
  log()
  log(
    `${''.padEnd(34)}${'req/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'failed'.padStart(8)}${'SQL/req'.padStart(9)}${'CPU ms/req'.padStart(12)}`,
  )
  for (const s of summaries) {
    log(
      `${s.name.padEnd(34)}${s.reqPerSec.toFixed(0).padStart(9)}${String(s.p50Ms).padStart(9)}${String(s.p99Ms).padStart(9)}` +
        `${String(s.failed).padStart(8)}${s.statementsPerRequest.toFixed(1).padStart(9)}${s.cpuMsPerRequest.toFixed(2).padStart(12)}`,
    )
  }
  if (summaries.some((s) => s.failed)) log('warning: some requests got another status than expected, or failed; the numbers above are not comparable')
  return summaries
}
