/**
 * npm run bench:api [-- --organizations 10000 --tenants 1000 --connections 20 --duration 10 --rounds 3 --db-latency 0 --json]
 *
 * What the whole request path costs: GET /api/organizations/{orgId}/workspaces
 * through the full stack (bearer session, membership, rate limits, the
 * request's transaction and RLS, the API dispatch, express) against a bare
 * node:http handler running the same SQL as the superuser, and the same
 * route refusing at the token (every layer, no SQL), in alternating rounds
 * within one run. Each request asks for a random one of the signed-in
 * tenants' organizations, as its owner.
 *
 * --db-latency MS puts a proxy between the servers and PostgreSQL that adds
 * MS milliseconds each way. --json prints one JSON object on the last line:
 * { ratio, layersRatio, variants: [{ name, reqPerSec, p50Ms, p99Ms, statementsPerRequest, cpuMsPerRequest }] }.
 * BENCH_PROF=1 writes a CPU profile of the servers' process to /tmp/prof.
 */
import { loadOptions, measure, withServers, type Variant } from './bench/load'
import { printJson } from './bench/stats'

const options = loadOptions()

await withServers(options, async (servers) => {
  const api = (t: (typeof servers.tenants)[number]) => `/api/organizations/${t.organizationId}/workspaces`
  const variants: Variant[] = [
    {
      key: 'full',
      name: 'full stack (API route)',
      origin: servers.full,
      targets: servers.tenants.map((t) => ({ path: api(t), headers: { authorization: `Bearer ${t.token}` } })),
      status: 200,
    },
    {
      key: 'bare',
      name: 'bare node:http, same SQL',
      origin: servers.bare,
      targets: servers.tenants.map((t) => ({ path: `/organizations/${t.organizationId}/workspaces`, headers: {} })),
      status: 200,
    },
    {
      // Every layer runs, then the 401: no session, no membership, no SQL. The floor the framework sets.
      key: 'layers',
      name: 'full stack, no token (401)',
      origin: servers.full,
      targets: servers.tenants.map((t) => ({ path: api(t), headers: {} })),
      status: 401,
    },
  ]
  const summaries = await measure(servers, variants, options)
  const of = (key: string) => summaries.find((s) => s.key === key)
  const ratio = (key: string) => (of(key) && of('bare') ? of(key)!.reqPerSec / of('bare')!.reqPerSec : null)
  if (options.json) {
    const variantsOut = summaries.map(({ key, name: _, failed: __, ...numbers }) => ({ name: key, ...numbers }))
    printJson({ ratio: ratio('full'), layersRatio: ratio('layers'), dbLatencyMs: options.dbLatencyMs, variants: variantsOut })
    return
  }
  const percent = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(0)}%`)
  console.log()
  console.log(`full stack keeps ${percent(ratio('full'))} of the bare handler's throughput (target ≥ 60%)`)
  console.log(`the layers alone, refusing at the token, keep ${percent(ratio('layers'))}`)
})
