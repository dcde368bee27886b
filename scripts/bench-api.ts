/**
 * npm run bench:api [-- --organizations 10000 --connections 20 --duration 10 --rounds 3]
 *
 * What the whole request path costs: GET /api/organizations/{orgId}/workspaces
 * through the full stack (bearer session, membership, rate limits, withTenant()
 * and RLS, Remix, express) against a bare node:http handler running the same
 * SQL on a pool with the same settings, with autocannon at the same
 * concurrency, in alternating rounds within one run. Each request asks for a
 * random one of the seeded organizations, as its owner.
 *
 * Uses a throwaway database (DATABASE_URL's server, else an embedded
 * PostgreSQL), seeded like bench:rls, dropped at the end. Needs a build.
 * BENCH_PROF=1 writes a CPU profile of the servers' process to /tmp/prof.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import os from 'node:os'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import pg from 'pg'
import { appDatabaseUrl, parseConfig } from '~/lib/config.server'
import { openThrowawayDatabase } from '../db/throwaway'
import { seedTenants } from './bench-rls-seed'

const { values: args } = parseArgs({
  options: {
    organizations: { type: 'string', default: '10000' },
    'projects-per-workspace': { type: 'string', default: '10' },
    connections: { type: 'string', default: '20' },
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    tenants: { type: 'string', default: '1000' },
    /** One variant only (full, bare, layers): to profile it alone with BENCH_PROF=1. */
    only: { type: 'string' },
  },
})
const positiveInt = (name: keyof typeof args) => {
  const value = Number(args[name])
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got ${args[name]}`)
  return value
}
const ORGANIZATIONS = positiveInt('organizations')
const CONNECTIONS = positiveInt('connections')
const DURATION = positiveInt('duration')
const ROUNDS = positiveInt('rounds')
const TENANTS = Math.min(positiveInt('tenants'), ORGANIZATIONS)
const log = (line = '') => console.log(line)

interface Target {
  path: string
  headers: Record<string, string>
}

interface Round {
  /** Statements sent to PostgreSQL per request: round trips, in effect. */
  statements: number
  /** Server CPU time per request, in milliseconds. */
  cpuMs: number
  requests: number
  seconds: number
  p50: number
  p99: number
  /** Answers with another status than the variant expects. */
  unexpected: number
  errors: number
}

/** Owners of random seeded organizations, each signed in with a session of their own. */
async function signInOwners(admin: pg.Client) {
  const picked = new Set<number>()
  while (picked.size < TENANTS) picked.add(1 + Math.floor(Math.random() * ORGANIZATIONS))
  const owners = [...picked].map((o) => ({ o, token: randomBytes(32).toString('base64url') }))
  await admin.query(
    `insert into auth.sessions (id, user_id, expires_at)
     select s.id, md5('user:' || s.o)::uuid, now() + interval '1 day'
     from unnest($1::text[], $2::int[]) as s(id, o)`,
    [owners.map((x) => createHash('sha256').update(x.token).digest('hex')), owners.map((x) => x.o)],
  )
  const { rows } = await admin.query(`select o, md5('org:' || o)::uuid as id from unnest($1::int[]) o`, [owners.map((x) => x.o)])
  const orgIds = new Map(rows.map((r) => [r.o as number, r.id as string]))
  return owners.map((x) => ({ organizationId: orgIds.get(x.o)!, token: x.token }))
}

interface Counters {
  /** Statements sent to PostgreSQL (BEGIN, COMMIT and pool resets included). */
  statements: number
  /** CPU time the server process has used. */
  cpuMs: number
}

function counters(child: ChildProcess): Promise<Counters> {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve(message as Counters))
    child.send('count')
  })
}

async function load(child: ChildProcess, origin: string, targets: readonly Target[], seconds: number, status: number): Promise<Round> {
  const before = await counters(child)
  const result = await run(origin, targets, seconds, status)
  const after = await counters(child)
  const requests = Math.max(1, result.requests)
  return { ...result, statements: (after.statements - before.statements) / requests, cpuMs: (after.cpuMs - before.cpuMs) / requests }
}

function run(origin: string, targets: readonly Target[], seconds: number, status = 200): Promise<Omit<Round, 'statements' | 'cpuMs'>> {
  let next = 0
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: origin,
        connections: CONNECTIONS,
        duration: seconds,
        requests: [
          {
            setupRequest: (request) => {
              const target = targets[next++ % targets.length]!
              return { ...request, path: target.path, headers: { ...request.headers, ...target.headers } }
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
          unexpected: result.requests.total - (result.statusCodeStats[status]?.count ?? 0),
          errors: result.errors + result.timeouts,
        })
      },
    )
  })
}

function summarize(rounds: readonly Round[]) {
  const requests = rounds.reduce((n, r) => n + r.requests, 0)
  const seconds = rounds.reduce((n, r) => n + r.seconds, 0)
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!
  return {
    statements: rounds.reduce((n, r) => n + r.statements * r.requests, 0) / Math.max(1, requests),
    cpuMs: rounds.reduce((n, r) => n + r.cpuMs * r.requests, 0) / Math.max(1, requests),
    rps: requests / seconds,
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    failed: rounds.reduce((n, r) => n + r.unexpected + r.errors, 0),
  }
}

async function main() {
  if (!existsSync('build/index.js')) throw new Error('no build: run `npm run build` first')
  const database = await openThrowawayDatabase('nextsaas_bench')
  let child: ChildProcess | undefined
  database.onDispose(async () => {
    if (!child?.connected) return
    const exited = new Promise((resolve) => child!.once('exit', resolve))
    child.disconnect()
    await exited
  })

  try {
    const config = parseConfig(process.env)
    const admin = new pg.Client({ connectionString: database.url })
    await admin.connect()
    const shape = { organizations: ORGANIZATIONS, workspacesPerOrganization: 10, projectsPerWorkspace: positiveInt('projects-per-workspace') }
    log(
      `Seeding ${ORGANIZATIONS.toLocaleString('en')} organizations × ${shape.workspacesPerOrganization} workspaces × ${shape.projectsPerWorkspace} projects`,
    )
    await seedTenants(admin, shape, log)
    await admin.query('vacuum analyze')
    const owners = await signInOwners(admin)
    await admin.end()

    // Production settings, as `npm start` would run with them. Rate limits
    // stay on (their cost is part of the path) in the in-process store, set
    // high enough that the load itself is never refused.
    const limits = Object.fromEntries(
      ['MAX_REQUESTS', 'BURST', 'ORG_MAX_REQUESTS', 'ORG_BURST', 'IP_MAX_REQUESTS', 'GLOBAL_MAX_REQUESTS'].map((name) => [
        `RATE_LIMIT_${name}`,
        '1000000',
      ]),
    )
    child = fork('scripts/bench-api-server.ts', [], {
      execArgv: ['--import', 'tsx', ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [])],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      env: {
        ...process.env,
        ...limits,
        NODE_ENV: 'production',
        DATABASE_URL: database.url,
        APP_DATABASE_URL: appDatabaseUrl({ ...config, APP_DATABASE_URL: undefined, DATABASE_URL: database.url }),
        BENCH_SUPERUSER_URL: database.url,
        RATE_LIMIT_STORE: 'memory',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      },
    })
    const servers = child
    const ports = await new Promise<{ full: number; bare: number }>((resolve, reject) => {
      servers.once('message', (message) => resolve(message as { full: number; bare: number }))
      servers.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)))
    })

    const variants = [
      {
        key: 'full',
        name: 'full stack (API route)',
        origin: `http://127.0.0.1:${ports.full}`,
        targets: owners.map((o) => ({ path: `/api/organizations/${o.organizationId}/workspaces`, headers: { authorization: `Bearer ${o.token}` } })),
        status: 200,
      },
      {
        key: 'bare',
        name: 'bare node:http, same SQL',
        origin: `http://127.0.0.1:${ports.bare}`,
        targets: owners.map((o) => ({ path: `/organizations/${o.organizationId}/workspaces`, headers: {} })),
        status: 200,
      },
      {
        // The same route without a token: every layer runs, then the 401 —
        // no session, no membership, no SQL. The floor the framework sets.
        key: 'layers',
        name: 'full stack, no token (401)',
        origin: `http://127.0.0.1:${ports.full}`,
        targets: owners.map((o) => ({ path: `/api/organizations/${o.organizationId}/workspaces`, headers: {} })),
        status: 401,
      },
    ]
    if (args.only) {
      const variant = variants.find((v) => v.key === args.only)
      if (!variant) throw new Error(`--only must be one of ${variants.map((v) => v.key).join(', ')}`)
      await run(variant.origin, variant.targets, 3, variant.status)
      const s = summarize([await load(servers, variant.origin, variant.targets, DURATION, variant.status)])
      log(`${variant.name}: ${s.rps.toFixed(0)} req/s, p50 ${s.p50} ms, ${s.statements.toFixed(1)} SQL/req, ${s.cpuMs.toFixed(2)} CPU ms/req`)
      return
    }
    log()
    log(`autocannon: ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${DURATION} s per variant, ${owners.length} tenants`)
    log(`node ${process.version}; ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}); PostgreSQL, load generator and server share them`)
    const loadBefore = os.loadavg()[0]!
    for (const variant of variants) await run(variant.origin, variant.targets, 3, variant.status) // warm-up: JIT, pools, caches
    const rounds: Round[][] = variants.map(() => [])
    for (let round = 0; round < ROUNDS; round++) {
      const order = variants.map((_, v) => v)
      if (round % 2 === 1) order.reverse()
      for (const v of order) rounds[v]!.push(await load(servers, variants[v]!.origin, variants[v]!.targets, DURATION, variants[v]!.status))
    }

    // Other work on the machine slows both variants, though not always alike.
    log(`load average (1 min) ${loadBefore.toFixed(2)} before, ${os.loadavg()[0]!.toFixed(2)} after`)
    log()
    log(
      `${''.padEnd(28)}${'req/s'.padStart(10)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'failed'.padStart(10)}${'SQL/req'.padStart(10)}${'CPU ms/req'.padStart(12)}`,
    )
    const [full, baseline, floor] = variants.map((variant, v) => {
      const s = summarize(rounds[v]!)
      log(
        `${variant.name.padEnd(28)}${s.rps.toFixed(0).padStart(10)}${String(s.p50).padStart(10)}${String(s.p99).padStart(10)}` +
          `${String(s.failed).padStart(10)}${s.statements.toFixed(1).padStart(10)}${s.cpuMs.toFixed(2).padStart(12)}`,
      )
      return s
    }) as [ReturnType<typeof summarize>, ReturnType<typeof summarize>, ReturnType<typeof summarize>]
    const percent = (part: number) => `${((part / baseline.rps) * 100).toFixed(0)}%`
    log()
    log(`full stack keeps ${percent(full.rps)} of the bare handler's throughput (target ≥ 60%)`)
    log(`the layers alone, refusing at the token, keep ${percent(floor.rps)}`)
    if (full.failed || baseline.failed || floor.failed)
      log('warning: some requests got another status than expected, or failed; the numbers above are not comparable')
  } finally {
    await database.dispose()
  }
}

await main()
