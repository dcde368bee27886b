/**
 * npm run bench:pages [-- --organizations 10000 --tenants 1000 --connections 20 --duration 10 --rounds 3 --db-latency 0 --json]
 *
 * What a signed-in page costs, beside the API call that reads the same
 * workspaces: document requests (every loader of the page: root, the
 * organization layout, the workspace layout, the page) and Remix data
 * requests (one route's loader, as client-side navigation asks) for the
 * organization page (workspace cards) and a workspace page (its projects),
 * with the session cookie, in alternating rounds within one run. Reports
 * req/s, p50, p99 and the round trips to PostgreSQL per request.
 * --json prints one JSON object on the last line: { variants: [{ name, reqPerSec, p50Ms, p99Ms, statementsPerRequest, cpuMsPerRequest }] }.
 */
import { loadOptions, measure, withServers, type Tenant, type Variant } from './bench/load'
import { printJson } from './bench/stats'

const options = loadOptions()

await withServers(options, async (servers) => {
  const cookie = (t: Tenant) => ({ cookie: `__Host-nextsaas_session=${t.token}` })
  const page = (key: string, name: string, path: (t: Tenant) => string, headers: (t: Tenant) => Record<string, string>): Variant => ({
    key,
    name,
    origin: servers.full,
    targets: servers.tenants.map((t) => ({ path: path(t), headers: headers(t) })),
    status: 200,
  })
  const org = (t: Tenant) => `/orgs/${t.slug}`
  const workspace = (t: Tenant) => `/orgs/${t.slug}/workspaces/general`
  const data = (route: string) => `?_data=${encodeURIComponent(route)}`
  const variants = [
    page(
      'api',
      'API: GET …/workspaces',
      (t) => `/api/organizations/${t.organizationId}/workspaces`,
      (t) => ({ authorization: `Bearer ${t.token}` }),
    ),
    page('org-document', 'organization page, document', org, cookie),
    page('org-data', 'organization page, data request', (t) => `${org(t)}${data('routes/orgs.$org._index')}`, cookie),
    page('workspace-document', 'workspace page, document', workspace, cookie),
    page('workspace-data', 'workspace page, data request', (t) => `${workspace(t)}${data('routes/orgs.$org.workspaces.$ws._index')}`, cookie),
  ]
  const summaries = await measure(servers, variants, options)
  if (options.json)
    printJson({
      dbLatencyMs: options.dbLatencyMs,
      variants: summaries.map(({ key, name: _, failed: __, ...numbers }) => ({ name: key, ...numbers })),
    })
})
