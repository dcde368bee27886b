/**
 * npm run bench:realtime [-- --organizations 100 --subscribers 1000 --rate 100 --duration 15 --json --citus]
 *
 * Live updates under load: `--subscribers` open streams (the API door, one
 * user and session each) across `--organizations` organizations, in four
 * equal groups of organizations with 1, 5, 10 and the rest of the
 * subscribers each; then a steady `--rate` of committed changes (a project
 * renamed) spread over every organization for `--duration` seconds, and one
 * shorter phase per group with the changes only there. Prints:
 *
 *   - commit-to-delivery p50 / p99 (from the moment the writing statement is
 *     sent to the moment a subscriber has parsed the event: an upper bound),
 *   - events delivered per second,
 *   - the server's memory per idle stream (heap and resident, after GC),
 *   - round trips to PostgreSQL per delivered event and per change, by
 *     subscribers per organization, and the streams' re-checks per second
 *     (REALTIME_RECHECK_SECONDS in the environment changes their period).
 *
 * The app runs in a child process (scripts/bench/realtime-server.ts); the
 * subscribers and the writer run here; the writer renames as the app does,
 * the change and its audit row in one statement. With --citus the database
 * is a throwaway Citus cluster (db/citus/throwaway.ts), the app in its Citus
 * mode, where the audit row is what announces the change (decision 005).
 */
import { fork, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import http from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { appDatabaseUrl, parseConfig } from '~/lib/config.server'
import { SERVER_BUILD_FILE } from '~/server/build-output.server'
import { openCitusThrowawayDatabase } from '../db/citus/throwaway'
import { openThrowawayDatabase } from '../db/throwaway'
import { seedTenants } from './bench/seed'
import { percentile, printJson } from './bench/stats'

const { values } = parseArgs({
  options: {
    organizations: { type: 'string', default: '100' },
    subscribers: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '100' },
    duration: { type: 'string', default: '15' },
    json: { type: 'boolean', default: false },
    citus: { type: 'boolean', default: false },
  },
})
const whole = (name: 'organizations' | 'subscribers' | 'rate' | 'duration', min: number) => {
  const value = Number(values[name])
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number ≥ ${min}`)
  return value
}
const ORGS = whole('organizations', 4)
const SUBSCRIBERS = whole('subscribers', ORGS)
const RATE = whole('rate', 1)
const DURATION = whole('duration', 1)
const log = values.json ? () => {} : (line = '') => console.log(line)
if (!existsSync(SERVER_BUILD_FILE)) throw new Error('no build: run `npm run build` first')

/** Subscribers per organization, by group: 1, 5, 10, and what is left spread over the last quarter. */
function subscribersPerOrganization() {
  const quarter = Math.floor(ORGS / 4)
  const sizes = Array.from({ length: ORGS }, (_, i): number => (i < quarter ? 1 : i < 2 * quarter ? 5 : i < 3 * quarter ? 10 : 0))
  const rest = ORGS - 3 * quarter
  const left = Math.max(rest, SUBSCRIBERS - sizes.reduce((a, b) => a + b, 0))
  for (let i = 3 * quarter; i < ORGS; i++) sizes[i] = Math.floor(left / rest) + (i - 3 * quarter < left % rest ? 1 : 0)
  return sizes
}

const uuidOf = (text: string) =>
  createHash('md5')
    .update(text)
    .digest('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-')

interface Subscriber {
  org: number
  organizationId: string
  token: string
}

async function seed(admin: pg.Client, sizes: number[]) {
  await seedTenants(admin, { organizations: ORGS, workspacesPerOrganization: 1, projectsPerWorkspace: 10 }, () => {})
  const subscribers: Subscriber[] = []
  const extra: { org: number; k: number }[] = []
  sizes.forEach((size, i) => {
    for (let k = 1; k <= size; k++) {
      subscribers.push({ org: i + 1, organizationId: uuidOf(`org:${i + 1}`), token: randomBytes(32).toString('base64url') })
      if (k > 1) extra.push({ org: i + 1, k })
    }
  })
  // The seed made each organization's owner (user:o); the other subscribers are members.
  await admin.query(
    `insert into auth.users (id, email, name) select md5('user:' || o || ':' || k)::uuid, 'm-' || o || '-' || k || '@bench.invalid', 'Member ' || o || '-' || k
     from unnest($1::int[], $2::int[]) as x(o, k)`,
    [extra.map((e) => e.org), extra.map((e) => e.k)],
  )
  await admin.query(
    `insert into organization_members (organization_id, user_id, role, status, joined_at)
     select md5('org:' || o)::uuid, md5('user:' || o || ':' || k)::uuid, 'member', 'active', now() from unnest($1::int[], $2::int[]) as x(o, k)`,
    [extra.map((e) => e.org), extra.map((e) => e.k)],
  )
  const perOrg = new Map<number, number>()
  const userIds = subscribers.map((s) => {
    const k = (perOrg.get(s.org) ?? 0) + 1
    perOrg.set(s.org, k)
    return k === 1 ? uuidOf(`user:${s.org}`) : uuidOf(`user:${s.org}:${k}`)
  })
  await admin.query(
    `insert into auth.sessions (id, user_id, expires_at) select s.id, s.user_id, now() + interval '1 day' from unnest($1::text[], $2::uuid[]) as s(id, user_id)`,
    [subscribers.map((s) => createHash('sha256').update(s.token).digest('hex')), userIds],
  )
  const projects = await admin.query<{ organization_id: string; id: string }>(`select organization_id, id from projects`)
  const byOrg = new Map<string, string[]>()
  for (const row of projects.rows) byOrg.set(row.organization_id, [...(byOrg.get(row.organization_id) ?? []), row.id])
  await admin.query('vacuum analyze')
  return { subscribers, projectsByOrg: byOrg }
}

function startServer(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const child = fork('scripts/bench/realtime-server.ts', [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env,
  })
  return new Promise((resolve, reject) => {
    child.once('message', (ready) => resolve({ child, port: (ready as { port: number }).port }))
    child.once('exit', (code) => reject(new Error(`the bench server exited with ${code}`)))
  })
}

function ask<T>(child: ChildProcess, question: 'count' | 'memory'): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (answer) => resolve(answer as T))
    child.send(question)
  })
}

/** When each changed row's writing statement was sent (by row id). */
const sentAt = new Map<string, number>()
const latencies: number[] = []
let delivered = 0

/** Opens one stream and counts the change events it receives, with their latency. */
function subscribe(port: number, subscriber: Subscriber): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      {
        host: '127.0.0.1',
        port,
        path: `/api/organizations/${subscriber.organizationId}/events`,
        headers: { authorization: `Bearer ${subscriber.token}`, accept: 'text/event-stream' },
        agent: false,
      },
      (response) => {
        if (response.statusCode !== 200) return reject(new Error(`stream refused: ${response.statusCode}`))
        response.setEncoding('utf8')
        let buffer = ''
        response.on('data', (chunk: string) => {
          buffer += chunk
          let end: number
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end)
            buffer = buffer.slice(end + 2)
            if (block.includes(': connected')) resolve(request)
            const data = block.includes('event: change') ? /^data: (.*)$/m.exec(block)?.[1] : undefined
            if (!data) continue
            const { id } = JSON.parse(data) as { id: string }
            const at = sentAt.get(id)
            delivered++
            if (at !== undefined) latencies.push(performance.now() - at)
          }
        })
      },
    )
    request.on('error', reject)
  })
}

/** A project renamed as the app renames it: the change and its audit row (which announces it on Citus) in one transaction. */
const RENAME = `
  with renamed as (update projects set name = $3 where organization_id = $1 and id = $2 returning workspace_id)
  insert into audit_logs (organization_id, action, resource_type, resource_id, details, result)
  select $1, 'project.updated', 'project', $2, jsonb_build_object('workspaceId', workspace_id), 'success' from renamed`

/** `rate` changes a second for `seconds`, each renaming a project of one of `orgs` (round robin). */
async function write(admin: pg.Client, projectsByOrg: Map<string, string[]>, orgs: string[], seconds: number) {
  const total = RATE * seconds
  const start = performance.now()
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / RATE - performance.now()
    if (wait > 0) await sleep(wait)
    const org = orgs[i % orgs.length]!
    const projects = projectsByOrg.get(org)!
    const id = projects[Math.floor(i / orgs.length) % projects.length]!
    sentAt.set(id, performance.now())
    await admin.query(RENAME, [org, id, `Renamed ${i}`])
  }
  return (performance.now() - start) / 1000
}

interface Counts {
  rechecks: number
  other: number
  cpuMs: number
}

async function phase(child: ChildProcess, admin: pg.Client, projectsByOrg: Map<string, string[]>, orgs: string[], seconds: number) {
  latencies.length = 0
  delivered = 0
  const before = await ask<Counts>(child, 'count')
  const elapsed = await write(admin, projectsByOrg, orgs, seconds)
  await sleep(500)
  const after = await ask<Counts>(child, 'count')
  const changes = RATE * seconds
  // Each re-check is its opening round trip and a COMMIT; the rest is the deliveries' re-reads.
  const rechecks = after.rechecks - before.rechecks
  const deliveries = after.other - before.other - rechecks
  const sorted = [...latencies].sort((a, b) => a - b)
  return {
    changes,
    delivered,
    eventsPerSecond: delivered / elapsed,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    roundTripsPerEvent: deliveries / Math.max(1, delivered),
    roundTripsPerChange: deliveries / changes,
    recheckRoundTripsPerSecond: (2 * rechecks) / elapsed,
    cpuMsPerEvent: (after.cpuMs - before.cpuMs) / Math.max(1, delivered),
  }
}

const database = values.citus ? await openCitusThrowawayDatabase() : await openThrowawayDatabase('nextsaas_bench_realtime')
let server: ChildProcess | undefined
database.onDispose(async () => {
  if (!server?.connected) return
  const exited = new Promise((resolve) => server!.once('exit', resolve))
  server.disconnect()
  await exited
})
try {
  const admin = new pg.Client({ connectionString: database.url })
  await admin.connect()
  const sizes = subscribersPerOrganization()
  log(`Seeding ${ORGS} organizations and ${SUBSCRIBERS} subscribers (1, 5, 10 and ${sizes.at(-1)} per organization, a quarter of them each)`)
  const { subscribers, projectsByOrg } = await seed(admin, sizes)
  const config = parseConfig(process.env)
  const started = await startServer({
    ...process.env,
    NODE_ENV: 'production',
    APP_URL: 'http://127.0.0.1',
    DATABASE_URL: database.url,
    APP_DATABASE_URL: appDatabaseUrl({ ...config, APP_DATABASE_URL: undefined, DATABASE_URL: database.url }),
    RATE_LIMIT_ENABLED: 'false',
    ...(values.citus ? { DATABASE_CITUS: 'true' } : {}),
    REALTIME_MAX_STREAMS: String(SUBSCRIBERS * 2),
    REALTIME_MAX_STREAMS_PER_ORG: String(SUBSCRIBERS),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  })
  server = started.child

  const idle = await ask<{ heapUsed: number; rss: number; external: number }>(server, 'memory')
  log(`Opening ${SUBSCRIBERS} streams`)
  const requests: http.ClientRequest[] = []
  for (let i = 0; i < subscribers.length; i += 50)
    requests.push(...(await Promise.all(subscribers.slice(i, i + 50).map((s) => subscribe(started.port, s)))))
  await sleep(2000)
  const open = await ask<{ heapUsed: number; rss: number; external: number }>(server, 'memory')
  const perStream = (key: 'heapUsed' | 'rss' | 'external') => (open[key] - idle[key]) / SUBSCRIBERS / 1024

  const orgIds = sizes.map((_, i) => uuidOf(`org:${i + 1}`))
  log(`Steady load: ${RATE} changes/s over all ${ORGS} organizations for ${DURATION} s`)
  const steady = await phase(server, admin, projectsByOrg, orgIds, DURATION)
  const quarter = Math.floor(ORGS / 4)
  const groups = [0, 1, 2, 3].map((g) => ({ size: sizes[g * quarter]!, orgs: orgIds.slice(g * quarter, g === 3 ? ORGS : (g + 1) * quarter) }))
  const byGroup = []
  const groupSeconds = Math.max(3, Math.round(DURATION / 3))
  for (const group of groups) {
    log(`  changes only where ${group.size} subscriber(s) per organization listen, ${groupSeconds} s`)
    byGroup.push({ subscribersPerOrganization: group.size, ...(await phase(server, admin, projectsByOrg, group.orgs, groupSeconds)) })
  }
  requests.forEach((request) => request.destroy())
  await admin.end()

  const memory = { heapKbPerStream: perStream('heapUsed'), rssKbPerStream: perStream('rss'), externalKbPerStream: perStream('external') }
  if (values.json) {
    printJson({ citus: values.citus, organizations: ORGS, subscribers: SUBSCRIBERS, rate: RATE, steady, memory, byGroup })
  } else {
    const ms = (value: number) => `${value.toFixed(1)} ms`
    log()
    log(`| ${SUBSCRIBERS} streams, ${ORGS} organizations, ${RATE} changes/s${values.citus ? ', Citus' : ''} | value |`)
    log('| --- | --- |')
    log(`| commit → delivery p50 | ${ms(steady.p50Ms)} |`)
    log(`| commit → delivery p99 | ${ms(steady.p99Ms)} |`)
    log(`| events delivered per second | ${steady.eventsPerSecond.toFixed(0)} |`)
    log(`| server memory per idle stream (heap / resident) | ${memory.heapKbPerStream.toFixed(1)} KB / ${memory.rssKbPerStream.toFixed(1)} KB |`)
    log(`| round trips per delivered event | ${steady.roundTripsPerEvent.toFixed(2)} |`)
    log(`| re-check round trips per second (all streams) | ${steady.recheckRoundTripsPerSecond.toFixed(0)} |`)
    log(`| server CPU per delivered event | ${steady.cpuMsPerEvent.toFixed(2)} ms |`)
    log()
    log('| subscribers per organization | round trips per delivered event | per change | p50 | p99 |')
    log('| --- | --- | --- | --- | --- |')
    for (const g of byGroup) {
      log(
        `| ${g.subscribersPerOrganization} | ${g.roundTripsPerEvent.toFixed(2)} | ${g.roundTripsPerChange.toFixed(1)} | ${ms(g.p50Ms)} | ${ms(g.p99Ms)} |`,
      )
    }
  }
} finally {
  await database.dispose()
}
