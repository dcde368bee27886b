/**
 * npm run bench [-- --quick] [-- --only rls,api]
 *
 * Runs every benchmark with --json, one after the other, and rewrites the
 * README's "Measured results" tables (between <!-- bench:NAME --> markers)
 * from their output, so that the numbers there are the last run's.
 * --quick runs each on small data and short rounds, to try the pipeline;
 * --only runs the named sections' benchmarks and rewrites those alone.
 */
import { spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { parseArgs } from 'node:util'

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } })

/** Runs a benchmark script with --json; its last line is the result, the rest goes to the terminal. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each benchmark's own JSON, read field by field below
function run(script: string, options: string[]): Promise<any> {
  console.error(`\n== ${script} ${options.join(' ')}`)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, '--json', ...options], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk))
    child.on('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? ''
      if (code !== 0) return reject(new Error(`${script} exited with ${code}`))
      resolve(JSON.parse(last))
    })
  })
}

const quick = args.quick
const http = quick ? ['--organizations', '500', '--tenants', '100', '--duration', '3', '--rounds', '1'] : []

const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ms`
const fixed = (value: number, digits = 1) => value.toFixed(digits)
const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n')

type HttpVariant = { name: string; reqPerSec: number; p50Ms: number; p99Ms: number; statementsPerRequest: number; cpuMsPerRequest: number }
const API_NAMES: Record<string, string> = {
  full: 'full stack: `GET /api/organizations/{orgId}/workspaces`',
  bare: 'bare `node:http` handler, same SQL, superuser',
  layers: 'full stack, same request without a token (401)',
}
const PAGE_NAMES: Record<string, string> = {
  api: 'API: `GET /api/organizations/{orgId}/workspaces`',
  'org-document': 'organization page, document',
  'org-data': 'organization page, data request',
  'workspace-document': 'workspace page, document',
  'workspace-data': 'workspace page, data request',
}
const far = (near: HttpVariant[], distant: HttpVariant[], name: string) =>
  distant.find((v) => v.name === name)!.p50Ms - near.find((v) => v.name === name)!.p50Ms

const environment = `Last run: ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${os.cpus().length} CPUs (load generator, servers and PostgreSQL share them)${quick ? ', **quick mode (small data, short rounds)**' : ''}.`

/** Each README section: its benchmarks, run when the section is asked for, then its table. */
const benchmarks: Record<string, () => Promise<string>> = {
  async rls() {
    const rls = await run(
      'scripts/bench-rls.ts',
      quick ? ['--organizations', '500', '--iterations', '200', '--warmup', '20', '--scaling', '100,2000'] : [],
    )
    return [
      table(
        ["listing one organization's projects", 'RLS median', 'superuser median', 'ratio'],
        (
          rls.listings as {
            listing: string
            rls: { transaction: number; query: number }
            superuser: { transaction: number; query: number }
            ratio: { transaction: number; query: number }
          }[]
        ).flatMap((l) => [
          [`${l.listing}, whole transaction`, ms(l.rls.transaction), ms(l.superuser.transaction), `**${fixed(l.ratio.transaction, 2)}**`],
          [`${l.listing}, query alone`, ms(l.rls.query), ms(l.superuser.query), fixed(l.ratio.query, 2)],
        ]),
      ),
      '',
      rls.tenantScaling
        ? `Tenant scaling, the same RLS listing with the same rows per organization: p99 ${ms(rls.tenantScaling.small.p99)} at ${rls.tenantScaling.small.organizations.toLocaleString('en')} organizations, ${ms(rls.tenantScaling.large.p99)} at ${rls.tenantScaling.large.organizations.toLocaleString('en')} — ratio **${fixed(rls.tenantScaling.p99Ratio, 2)}** (target ≤ 1.2).`
        : '',
    ].join('\n')
  },
  async ratelimit() {
    const ratelimit = await run('scripts/bench-ratelimit.ts', quick ? ['--iterations', '500', '--warmup', '50'] : [])
    return table(
      ['store', 'p50', 'p99', 'mean'],
      (ratelimit.stores as { name: string; p50Ms: number; p99Ms: number; meanMs: number }[]).map((s) => [
        s.name,
        `${s.p50Ms.toFixed(3)} ms`,
        `${s.p99Ms.toFixed(3)} ms`,
        `${s.meanMs.toFixed(3)} ms`,
      ]),
    )
  },
  async api() {
    const api = await run('scripts/bench-api.ts', http)
    const apiFar = await run('scripts/bench-api.ts', [...http, '--db-latency', '20'])
    return [
      table(
        ['variant', 'req/s', 'p50', 'p99', 'SQL round trips / request', 'server CPU / request', 'p50 with 20 ms to PostgreSQL'],
        (api.variants as HttpVariant[]).map((v) => [
          API_NAMES[v.name] ?? v.name,
          fixed(v.reqPerSec, 0),
          ms(v.p50Ms),
          ms(v.p99Ms),
          fixed(v.statementsPerRequest),
          ms(v.cpuMsPerRequest),
          ms((apiFar.variants as HttpVariant[]).find((f) => f.name === v.name)!.p50Ms),
        ]),
      ),
      '',
      `The full stack keeps **${(api.ratio * 100).toFixed(0)} %** of the bare handler's throughput (target 60 %); the layers alone, refusing at the token, keep ${(api.layersRatio * 100).toFixed(0)} %.`,
    ].join('\n')
  },
  async pages() {
    const pages = await run('scripts/bench-pages.ts', http)
    const pagesFar = await run('scripts/bench-pages.ts', [...http, '--db-latency', '20'])
    return [
      table(
        [
          'request',
          'req/s',
          'p50',
          'p99',
          'SQL round trips / request',
          'server CPU / request',
          'p50 with 20 ms to PostgreSQL',
          'what the 20 ms cost',
        ],
        (pages.variants as HttpVariant[]).map((v) => [
          PAGE_NAMES[v.name] ?? v.name,
          fixed(v.reqPerSec, 0),
          ms(v.p50Ms),
          ms(v.p99Ms),
          fixed(v.statementsPerRequest),
          ms(v.cpuMsPerRequest),
          ms((pagesFar.variants as HttpVariant[]).find((f) => f.name === v.name)!.p50Ms),
          `+${ms(far(pages.variants, pagesFar.variants, v.name))}`,
        ]),
      ),
    ].join('\n')
  },
  async regions() {
    const regions = await run('scripts/bench-regions.ts', quick ? ['--requests', '60', '--rounds', '1'] : [])
    const [replica, primary] = regions.variants as { name: string; p50Ms: number; p99Ms: number }[]
    return [
      table(
        [`workspace page in a replica region, primary ${regions.dbLatencyMs} ms away each way`, 'p50', 'p99'],
        [
          ['reads from the local streaming replica', ms(replica!.p50Ms), ms(replica!.p99Ms)],
          ['every query to the primary (no regions configured)', ms(primary!.p50Ms), ms(primary!.p99Ms)],
        ],
      ),
      '',
      `Replica reads answer the page **${fixed(primary!.p50Ms / replica!.p50Ms)}×** faster at p50.`,
    ].join('\n')
  },
  async realtime() {
    const realtime = await run('scripts/bench-realtime.ts', quick ? ['--organizations', '20', '--subscribers', '100', '--duration', '4'] : [])
    return [
      table(
        [`${realtime.subscribers} streams, ${realtime.organizations} organizations, ${realtime.rate} changes/s`, 'value'],
        [
          ['commit → delivery p50 / p99', `${ms(realtime.steady.p50Ms)} / **${ms(realtime.steady.p99Ms)}**`],
          ['events delivered per second', fixed(realtime.steady.eventsPerSecond, 0)],
          [
            'server memory per idle stream (heap / resident)',
            `**${fixed(realtime.memory.heapKbPerStream)} KB** / ${fixed(realtime.memory.rssKbPerStream)} KB`,
          ],
          ['SQL round trips per delivered event', fixed(realtime.steady.roundTripsPerEvent, 2)],
          ['re-check round trips per second, all streams', fixed(realtime.steady.recheckRoundTripsPerSecond, 0)],
          ['server CPU per delivered event', ms(realtime.steady.cpuMsPerEvent)],
        ],
      ),
      '',
      table(
        ['subscribers per organization', 'round trips per delivered event', 'round trips per change', 'p50', 'p99'],
        (
          realtime.byGroup as {
            subscribersPerOrganization: number
            roundTripsPerEvent: number
            roundTripsPerChange: number
            p50Ms: number
            p99Ms: number
          }[]
        ).map((g) => [g.subscribersPerOrganization, fixed(g.roundTripsPerEvent, 2), fixed(g.roundTripsPerChange), ms(g.p50Ms), ms(g.p99Ms)]),
      ),
    ].join('\n')
  },
}

const only = args.only?.split(',')
const unknown = only?.filter((name) => !(name in benchmarks)) ?? []
if (unknown.length) throw new Error(`--only: no section named ${unknown.join(', ')} (there are ${Object.keys(benchmarks).join(', ')})`)

/** Rewrites one section at once, so that an interrupted run keeps what it measured. */
async function rewrite(name: string, content: string) {
  const pattern = new RegExp(`(<!-- bench:${name} -->\\n)[\\s\\S]*?(\\n<!-- /bench:${name} -->)`)
  const readme = await readFile('README.md', 'utf8')
  if (!pattern.test(readme)) throw new Error(`README.md has no <!-- bench:${name} --> … <!-- /bench:${name} --> section`)
  await writeFile(
    'README.md',
    readme.replace(pattern, (_, open: string, close: string) => `${open}${content}${close}`),
  )
  console.error(`README.md: ${name} rewritten.`)
}

if (!only) await rewrite('environment', environment)
for (const [name, benchmark] of Object.entries(benchmarks)) if (!only || only.includes(name)) await rewrite(name, await benchmark())
