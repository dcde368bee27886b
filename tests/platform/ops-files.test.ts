/**
 * The alert rules and the dashboard name only metrics the app exports: the
 * real /metrics is scraped after a few requests, and every metric an
 * expression or a panel names must be there. Every rule has a summary and a
 * runbook_url whose section exists in docs/operations.md.
 */
import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, test, vi } from 'vitest'
import { parse } from 'yaml'
import { createMetricsApp } from '~/server/metrics.server'
import { createOrg, signedUpClient } from '../utils/app'
import { setupApp } from '../utils/fixture'
import { uniquePrefix } from '../utils/rate-limit'

vi.stubEnv('RATE_LIMIT_STORE', 'postgres')
vi.stubEnv('RATE_LIMIT_KEY_PREFIX', uniquePrefix('ops'))

const ctx = setupApp()
let scraped = ''
beforeAll(async () => {
  const owner = await signedUpClient(ctx.origin, 'Ops Owner')
  const slug = await createOrg(owner, 'Ops Org')
  await owner.post(`/orgs/${slug}/workspaces/new`, { name: 'Ops Workspace' })
  await owner.get(`/orgs/${slug}/audit`)
  const server = createMetricsApp(ctx.app.services.metrics).listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  scraped = await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`)).text()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})
afterAll(() => vi.unstubAllEnvs())

/** The names a scrape can answer: each family, and a histogram's _bucket, _count and _sum. */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>()
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!)
    if (type === 'histogram' || type === 'summary') for (const suffix of ['_bucket', '_count', '_sum']) names.add(`${name}${suffix}`)
  }
  return names
}

const PROMQL_WORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset'])

/** The metric names a PromQL expression reads: identifiers that are not functions, keywords, labels or strings. */
function metricsIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""') // strings
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '') // label lists
    .replace(/\[[^\]]*\]/g, '') // ranges
  return [...bare.matchAll(/\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()/g)].map((m) => m[0]).filter((word) => !PROMQL_WORDS.has(word))
}

interface Rule {
  alert: string
  expr: string
  for?: string
  annotations?: Record<string, string>
}

async function rules(): Promise<Rule[]> {
  const file = parse(await readFile('ops/prometheus/alerts.yml', 'utf8')) as { groups: { rules: Rule[] }[] }
  return file.groups.flatMap((group) => group.rules)
}

async function panelExpressions(): Promise<{ title: string; expr: string }[]> {
  const dashboard = JSON.parse(await readFile('ops/grafana/nextsaas.json', 'utf8')) as {
    panels: { title: string; targets: { expr: string }[] }[]
  }
  return dashboard.panels.flatMap((panel) => panel.targets.map((target) => ({ title: panel.title, expr: target.expr })))
}

test('the expression parser finds metric names and nothing else', () => {
  expect(metricsIn('sum by (le) (rate(a_total{status=~"5..", x="sum(b)"}[5m])) / ignoring (state) db_max > 0.05 or max(c_seconds) > 2')).toEqual([
    'a_total',
    'db_max',
    'c_seconds',
  ])
})

test('the alerts cover the seed’s five and the operators’ own', async () => {
  expect((await rules()).map((rule) => rule.alert)).toEqual([
    'HighErrorRate',
    'HighLatency',
    'DatabaseDown',
    'ReplicaLag',
    'PoolSaturated',
    'PermissionDenialsFromOneAddress',
    'RateLimitRefusalStorm',
    'BruteForceLockoutSpike',
    'SecurityBlocks',
  ])
})

test('every metric an alert or a panel names is exported by the app', async () => {
  const exported = exportedNames(scraped)
  expect(exported.has('http_request_duration_seconds_bucket')).toBe(true)
  const named = [
    ...(await rules()).map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })),
    ...(await panelExpressions()).map((panel) => ({ where: `panel “${panel.title}”`, expr: panel.expr })),
  ]
  expect(named.length).toBeGreaterThan(20)
  const missing = named.flatMap(({ where, expr }) => metricsIn(expr).flatMap((name) => (exported.has(name) ? [] : [`${where}: ${name}`])))
  expect(missing).toEqual([])
})

test('every pool reports its connections and whether its database is up', () => {
  for (const pool of ['app', 'sessions', 'rate_limit']) {
    expect(scraped).toContain(`db_up{pool="${pool}"} 1`)
    expect(scraped).toMatch(new RegExp(`db_pool_max_connections\\{pool="${pool}"\\} \\d+`))
  }
  expect(scraped).toMatch(/^db_replica_lag_seconds 0$/m)
  expect(scraped).toMatch(/^workspaces_created_total [1-9]/m)
  expect(scraped).toMatch(/^audit_rows_total\{result="success"\} [1-9]/m)
})

test('every rule has a summary and a runbook_url whose section is in docs/operations.md', async () => {
  const runbook = await readFile('docs/operations.md', 'utf8')
  const anchors = new Set(
    [...runbook.matchAll(/^#{2,4} (.+)$/gm)].map((m) =>
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    ),
  )
  for (const rule of await rules()) {
    expect(rule.annotations?.summary, rule.alert).toBeTruthy()
    const url = rule.annotations?.runbook_url ?? ''
    expect(url, rule.alert).toMatch(/\/docs\/operations\.md#[\w-]+$/)
    expect(anchors, `${rule.alert}: no section #${url.split('#')[1]} in docs/operations.md`).toContain(url.split('#')[1])
  }
})
