/**
 * npm run bench:regions [-- --db-latency 20 --requests 200 --concurrency 4 --rounds 3 --json]
 *
 * What replica reads buy a far region: the workspace page (a document
 * request, every loader) served by a machine in a replica region whose
 * primary is --db-latency ms away each way (the latency proxy of
 * scripts/bench/latency-proxy.ts in front of the primary), side by side in
 * alternating rounds:
 *
 *   replica reads   the replica region's app, reading from a streaming
 *                   standby next to it (scripts/regions/cluster.ts);
 *   primary only    the same app with no regions configured, every query
 *                   to the far primary — what a region did before.
 *
 * Both run in production mode with the in-process rate-limit store. Prints
 * p50 and p99 per variant and their ratio; --json prints one JSON object on
 * the last line: { dbLatencyMs, variants: [{ name, p50Ms, p99Ms, requests }] }.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { signIn, USER_AGENT } from './bench/load'
import { seedTenants } from './bench/seed'
import { median, percentile, printJson } from './bench/stats'
import { startAppProcess, stopProcess, type AppProcess } from './regions/apps'
import { CLUSTER_APP_PASSWORD, startCluster } from './regions/cluster'

const { values } = parseArgs({
  options: {
    'db-latency': { type: 'string', default: '20' },
    requests: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    organizations: { type: 'string', default: '200' },
    json: { type: 'boolean', default: false },
  },
})
const number = (name: keyof typeof values, min: number) => {
  const value = Number(values[name])
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got ${values[name]}`)
  return value
}
const options = {
  dbLatencyMs: number('db-latency', 0),
  requests: number('requests', 1),
  concurrency: number('concurrency', 1),
  rounds: number('rounds', 1),
  organizations: number('organizations', 1),
}
const log = values.json ? () => {} : (line = '') => console.log(line)
if (!existsSync('build/server/index.js')) throw new Error('no build: run `npm run build` first')

/** The latency proxy in front of `target` (host:port); resolves to its port. */
function latencyProxy(target: string, delayMs: number): Promise<{ child: ChildProcess; port: number }> {
  const child = fork('scripts/bench/latency-proxy.ts', [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, PROXY_TARGET: target, PROXY_DELAY_MS: String(delayMs) },
  })
  return new Promise((resolve, reject) => {
    child.once('message', (ready) => resolve({ child, port: (ready as { port: number }).port }))
    child.once('exit', (code) => reject(new Error(`latency proxy exited with ${code}`)))
  })
}

/** `count` GETs of the page for the tenants in turn, `concurrency` at a time; each one's time in ms. */
async function load(origin: string, paths: { path: string; cookie: string }[], count: number, concurrency: number): Promise<number[]> {
  const times: number[] = []
  let next = 0
  const worker = async () => {
    while (next < count) {
      const target = paths[next++ % paths.length]!
      const started = performance.now()
      const response = await fetch(`${origin}${target.path}`, { headers: { cookie: target.cookie, 'user-agent': USER_AGENT }, redirect: 'manual' })
      await response.arrayBuffer()
      if (response.status !== 200) throw new Error(`${origin}${target.path} answered ${response.status}`)
      times.push(performance.now() - started)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return times
}

const cluster = await startCluster({ log: (line) => log(`  ${line}`) })
const children: ChildProcess[] = []
const apps: AppProcess[] = []
try {
  const admin = new pg.Client({ connectionString: cluster.primaryUrl })
  await admin.connect()
  log(`Seeding ${options.organizations} organizations × 10 workspaces × 10 projects on the primary`)
  await seedTenants(admin, { organizations: options.organizations, workspacesPerOrganization: 10, projectsPerWorkspace: 10 }, log)
  await admin.query('vacuum analyze')
  const tenants = await signIn(admin, { organizations: options.organizations, tenants: Math.min(50, options.organizations) })
  const { rows } = await admin.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn')
  await admin.end()
  const standby = new pg.Client({ connectionString: cluster.standbyUrl })
  await standby.connect()
  while (!(await standby.query('select pg_last_wal_replay_lsn() >= $1::pg_lsn as ok', [rows[0]!.lsn])).rows[0].ok) await sleep(50)
  await standby.end()

  // The far primary: the app's login on the primary, through the latency proxy.
  const primary = new URL(cluster.appUrl('primary'))
  const proxy = await latencyProxy(`127.0.0.1:${primary.port}`, options.dbLatencyMs)
  children.push(proxy.child)
  const farPrimary = (url: string) => Object.assign(new URL(url), { port: String(proxy.port) }).toString()
  const limits = Object.fromEntries(
    ['MAX_REQUESTS', 'BURST', 'ORG_MAX_REQUESTS', 'ORG_BURST', 'IP_MAX_REQUESTS', 'GLOBAL_MAX_REQUESTS'].map((n) => [`RATE_LIMIT_${n}`, '1000000']),
  )
  const common = {
    ...limits,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_STORE: 'memory',
    SECURITY_BLOCK_THRESHOLD: '0',
    DATABASE_URL: farPrimary(cluster.primaryUrl),
    APP_DATABASE_URL: farPrimary(cluster.appUrl('primary')),
    APP_DATABASE_PASSWORD: CLUSTER_APP_PASSWORD,
    APP_URL: 'http://127.0.0.1',
  }
  const variants = [
    {
      name: 'replica reads',
      app: await startAppProcess('iad', { ...common, PRIMARY_REGION: 'ams', FLY_REGION: 'iad', DATABASE_REPLICA_URL: cluster.appUrl('standby') }),
    },
    { name: 'primary only', app: await startAppProcess('iad-no-regions', common) },
  ]
  apps.push(...variants.map((v) => v.app))

  const pages = tenants.map((t) => ({ path: `/orgs/${t.slug}/workspaces/general`, cookie: `__Host-nextsaas_session=${t.token}` }))
  log()
  log(`workspace page, document: ${options.rounds} alternating rounds of ${options.requests} requests, ${options.concurrency} at a time`)
  log(`the primary is ${options.dbLatencyMs} ms away each way (latency proxy); the standby is local`)
  for (const v of variants) await load(v.app.origin, pages, Math.min(50, options.requests), options.concurrency) // JIT, pools, caches
  const samples = variants.map(() => [] as number[][])
  for (let r = 0; r < options.rounds; r++) {
    const order = r % 2 ? [1, 0] : [0, 1]
    for (const v of order) samples[v]!.push(await load(variants[v]!.app.origin, pages, options.requests, options.concurrency))
  }
  const summaries = variants.map((v, i) => {
    const rounds = samples[i]!
    return {
      name: v.name,
      p50Ms: median(rounds.map((times) => median(times))),
      p99Ms: median(
        rounds.map((times) =>
          percentile(
            [...times].sort((a, b) => a - b),
            0.99,
          ),
        ),
      ),
      requests: rounds.reduce((n, times) => n + times.length, 0),
    }
  })
  log()
  log(`${''.padEnd(16)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}`)
  for (const s of summaries) log(`${s.name.padEnd(16)}${s.p50Ms.toFixed(1).padStart(9)}${s.p99Ms.toFixed(1).padStart(9)}`)
  log(`primary only / replica reads, p50: ${(summaries[1]!.p50Ms / summaries[0]!.p50Ms).toFixed(1)}×`)
  if (values.json) printJson({ dbLatencyMs: options.dbLatencyMs, variants: summaries })
} finally {
  await Promise.all(apps.map((app) => stopProcess(app.child)))
  for (const child of children) child.kill()
  await cluster.stop()
}
