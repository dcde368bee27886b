/**
 * npm run bench:security [-- --concurrency 4 --corpus ../shared/security-corpus --repeat 1000]
 *
 * Measures the security monitor in the real pipeline: the app's build behind
 * createHttpApp, on a throwaway database (DATABASE_URL's server if set, else
 * an embedded PostgreSQL in a temp folder), with rate limiting off so that
 * the corpus is not throttled. Prints:
 *
 * 1. every corpus value sent over HTTP in its location, one client IP per
 *    value (X-Forwarded-For, trusted here), and the security_events rows of
 *    that IP read back: detection (a rule other than "uninspected" fired),
 *    recorded and blocked (403), throughput and the slowest request, per file
 *    and category;
 * 2. a 1 MB adversarial value: over HTTP with the default bounds, and the
 *    scanner alone reading all of it;
 * 3. what scanning adds to an ordinary request: the same requests sent to an
 *    app with the monitor on and to one with it off, in alternating pairs —
 *    the full app, and a minimal express app holding only the monitor (whose
 *    few-millisecond pages do not drown a tenth of a millisecond) — and the
 *    scanner alone on those requests' values.
 */
import { existsSync } from 'node:fs'
import { request as httpRequest, Agent } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseArgs } from 'node:util'
import express from 'express'
import pg from 'pg'
import { pino } from 'pino'
import { parseConfig, type Config } from '~/lib/config.server'
import { closePool } from '~/models/db.server'
import { RequestTransaction } from '~/models/request-transaction.server'
import { createSecurityCounters } from '~/security/metrics.server'
import { requestParts } from '~/security/request-parts.server'
import { createScanner } from '~/security/scanner.server'
import { loadServerBuild, SERVER_BUILD_FILE } from '~/server/build-output.server'
import { createHttpApp } from '~/server/http.server'
import { securityMonitor } from '~/server/security-monitor.server'
import { createServices } from '~/server/services.server'
import { openThrowawayDatabase } from '../db/throwaway'
import { CORPUS_DIR, corpusAvailable, corpusGroup, corpusRequest, loadCorpus, type CorpusEntry, type CorpusRequest } from './security-corpus'

const { values: args } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '4' },
    corpus: { type: 'string', default: CORPUS_DIR },
    repeat: { type: 'string', default: '1000' },
  },
})
const CONCURRENCY = Number(args.concurrency)
const REPEAT = Number(args.repeat)
if (!Number.isInteger(CONCURRENCY) || CONCURRENCY < 1 || !Number.isInteger(REPEAT) || REPEAT < 10) {
  throw new Error('--concurrency must be ≥ 1 and --repeat ≥ 10')
}
if (!corpusAvailable(args.corpus)) {
  console.error(`No corpus at ${args.corpus} (attacks.jsonl, benign.jsonl, benign-realistic.jsonl); pass --corpus DIR.`)
  process.exit(2)
}
if (!existsSync(SERVER_BUILD_FILE)) {
  console.error('No build: run `npm run build` first.')
  process.exit(2)
}

// ---------------------------------------------------------------- HTTP

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 })

interface Sent {
  status: number
  ms: number
}

function send(origin: string, request: CorpusRequest, ip: string): Promise<Sent> {
  const { hostname, port } = new URL(origin)
  const headers: Record<string, string | number> = { ...request.headers, 'x-forwarded-for': ip }
  if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body)
  if (request.method === 'POST') headers.origin = origin
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path: request.target, method: request.method, headers, agent }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode!, ms: performance.now() - started }))
    })
    req.on('error', reject)
    req.end(request.body)
  })
}

async function pool<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++
        results[index] = await work(items[index]!)
      }
    }),
  )
  return results
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
const pct = (part: number, whole: number) => (whole ? `${((100 * part) / whole).toFixed(1)}%` : '–')
const ms = (value: number) => `${value.toFixed(value < 1 ? 3 : 1)} ms`

// ---------------------------------------------------------------- setup

process.env.NODE_ENV = 'test'
process.env.LOG_LEVEL = 'silent'
process.env.RATE_LIMIT_ENABLED = 'false'
const database = await openThrowawayDatabase('nextsaas_bench_security')
process.env.DATABASE_URL = database.url
const config: Config = { ...parseConfig(process.env), TRUST_PROXY: 1 }
const build = await loadServerBuild()

async function listen(overrides: Partial<Config>) {
  const logger = pino({ level: 'silent' })
  const settings = { ...config, ...overrides }
  const server = createHttpApp({ build, config: settings, logger, services: createServices(settings, logger) }).listen(0, '127.0.0.1')
  // Longer than any pause between the bench's phases, so that no kept-alive socket is closed under a request.
  server.keepAliveTimeout = 120_000
  await new Promise((resolve) => server.once('listening', resolve))
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}
const monitored = await listen({})
const unmonitored = await listen({ SECURITY_MODE: 'off' })

/** Only what the monitor needs in front of it (the request context), and a handler that answers at once. */
async function listenMinimal(mode: Config['SECURITY_MODE']) {
  const logger = pino({ level: 'silent' })
  const securityCounters = createSecurityCounters()
  const app = express()
  app.use((req, res, next) => {
    req.log = logger
    res.locals.context = {
      traceId: 'bench',
      ip: req.ip ?? '',
      logger,
      cspNonce: '',
      appendSetCookie: () => {},
      memo: new Map(),
      identity: {},
      audits: () => {},
      reportError: () => {},
      rateLimits: null,
      limitOutcomes: [],
      securityCounters,
      securityAlerts: null,
      database: new RequestTransaction(logger),
      demoAccounts: null,
    }
    next()
  })
  app.use(securityMonitor({ ...config, SECURITY_MODE: mode }, securityCounters))
  app.all('*', (_req, res) => res.type('text').send('ok'))
  const server = app.listen(0, '127.0.0.1')
  server.keepAliveTimeout = 120_000
  await new Promise((resolve) => server.once('listening', resolve))
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}
const minimalMonitored = await listenMinimal('block')
const minimalUnmonitored = await listenMinimal('off')
const admin = new pg.Client({ connectionString: database.url })
await admin.connect()

try {
  // ---------------------------------------------------------------- 1. corpus

  const entries = loadCorpus(args.corpus)
  const ipOf = (index: number) => `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`
  interface Outcome {
    entry: CorpusEntry
    ip: string
    unsendable?: string
    sent?: Sent
  }
  const outcomes: Outcome[] = entries.map((entry, index) => ({ entry, ip: ipOf(index + 1) }))
  const groups = new Map<string, Outcome[]>()
  for (const outcome of outcomes) {
    const key = `${outcome.entry.file}\u0000${corpusGroup(outcome.entry)}`
    groups.set(key, [...(groups.get(key) ?? []), outcome])
  }
  // Warm-up: the first requests compile routes and regular expressions.
  await pool(outcomes.slice(0, 20), CONCURRENCY, (o) => send(monitored.origin, { method: 'GET', target: '/login', headers: {} }, o.ip))
  const wall = new Map<string, number>()
  for (const [key, members] of groups) {
    const started = performance.now()
    await pool(members, CONCURRENCY, async (outcome) => {
      const request = corpusRequest(outcome.entry)
      if ('unsendable' in request) outcome.unsendable = request.unsendable
      else outcome.sent = await send(monitored.origin, request, outcome.ip)
    })
    wall.set(key, performance.now() - started)
  }
  const { rows } = await admin.query<{ ip: string; rules: string[] }>(
    `select host(ip_address) as ip, array_agg(distinct rule_id) as rules from security_events group by 1`,
  )
  const rulesByIp = new Map(rows.map((row) => [row.ip, row.rules]))

  console.log(`\nSecurity monitor on the corpus (${entries.length} values, ${CONCURRENCY} concurrent requests, over HTTP)\n`)
  const header = ['file / group', 'values', 'sent', 'detected', 'recorded', 'blocked', 'req/s', 'slowest']
  const table: string[][] = [header]
  for (const [key, members] of groups) {
    const [file, group] = key.split('\u0000') as [string, string]
    const sent = members.filter((m) => m.sent)
    const rulesOf = (m: Outcome) => rulesByIp.get(m.ip) ?? []
    const detected = sent.filter((m) => rulesOf(m).some((rule) => !rule.startsWith('uninspected'))).length
    const recorded = sent.filter((m) => rulesOf(m).length > 0).length
    const blocked = sent.filter((m) => m.sent!.status === 403).length
    const slowest = Math.max(...sent.map((m) => m.sent!.ms))
    const attack = file === 'attacks.jsonl'
    table.push([
      `${file.replace('.jsonl', '')} / ${group}`,
      String(members.length),
      String(sent.length),
      attack ? `${detected} (${pct(detected, sent.length)})` : '',
      `${recorded} (${pct(recorded, sent.length)})`,
      `${blocked} (${pct(blocked, sent.length)})`,
      ((1000 * sent.length) / wall.get(key)!).toFixed(0),
      ms(slowest),
    ])
  }
  const widths = header.map((_, column) => Math.max(...table.map((row) => row[column]!.length)))
  for (const row of table)
    console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  '))
  const unsendable = outcomes.filter((o) => o.unsendable)
  if (unsendable.length) {
    console.log(`\nNot sendable over HTTP (left out of the rates): ${unsendable.length}`)
    for (const o of unsendable) console.log(`  ${o.entry.source} ${o.entry.category} ${o.entry.location}: ${o.unsendable}`)
  }
  const statuses = new Map<number, number>()
  for (const o of outcomes) if (o.sent) statuses.set(o.sent.status, (statuses.get(o.sent.status) ?? 0) + 1)
  console.log(`Response statuses: ${[...statuses].map(([status, count]) => `${status}×${count}`).join(', ')}`)

  // ---------------------------------------------------------------- 2. 1 MB adversarial value

  const scanner = createScanner()
  // Near misses of every family, none closing into a match: the patterns try hard at every offset.
  const unit = `' or 'a <scr ../.. union sel ; ca $( javascript &#x3 %2 /* 0x2 select( sleep (`
  const adversarial = unit.repeat(Math.ceil((1024 * 1024 - 64) / unit.length)).slice(0, 1024 * 1024 - 64)
  const benignValue = 'a'.repeat(adversarial.length)
  const jsonRequest = (value: string): CorpusRequest => ({
    method: 'POST',
    target: '/login',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ v: value }),
  })
  const median = async (value: string, origin: string) => {
    const times: number[] = []
    for (let run = 0; run < 7; run++) times.push((await send(origin, jsonRequest(value), '10.250.0.1')).ms)
    return times.sort((a, b) => a - b)[3]!
  }
  const full = { maxValueChars: 1024 * 1024, maxRequestChars: 4 * 1024 * 1024, richTextFields: new Set<string>() }
  /** The scanner alone on one value, median of 7, inspecting at most `maxValueChars` of it. */
  const scanMedian = (value: string, maxValueChars: number) => {
    const times: number[] = []
    for (let run = 0; run < 7; run++) {
      const started = performance.now()
      scanner.scan([{ location: 'body', field: 'v', value }], { ...full, maxValueChars })
      times.push(performance.now() - started)
    }
    return ms(times.sort((a, b) => a - b)[3]!)
  }
  const bound = config.SECURITY_MAX_VALUE_CHARS
  console.log(`\n1 MB adversarial value (${adversarial.length} characters, JSON body), median of 7:`)
  console.log(`  HTTP, monitor on (default bound ${bound} chars/value): ${ms(await median(adversarial, monitored.origin))}`)
  console.log(`  HTTP, monitor off:                                  ${ms(await median(adversarial, unmonitored.origin))}`)
  console.log(`  HTTP, monitor on, 1 MB of plain letters:            ${ms(await median(benignValue, monitored.origin))}`)
  console.log(`  scanner alone, bounded as configured:               ${scanMedian(adversarial, bound)}`)
  console.log(`  scanner alone, reading the whole megabyte:          ${scanMedian(adversarial, full.maxValueChars)}`)
  console.log(`  scanner alone, a whole megabyte of plain letters:   ${scanMedian(benignValue, full.maxValueChars)}`)

  // ---------------------------------------------------------------- 3. an ordinary request

  const browser = {
    'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    'accept-language': 'en-GB,en;q=0.9',
    referer: 'http://127.0.0.1/orgs/acme-corp/workspaces/general',
    cookie: 'nextsaas_session=Q2hhbmdlIHRoaXMgdG9rZW4gcGxlYXNlIDEyMzQ1Njc4; theme=dark',
  }
  const ordinary: CorpusRequest[] = [
    { method: 'GET', target: '/login?redirectTo=%2Forgs%2Facme-corp%2Fworkspaces%2Fgeneral', headers: browser },
    // A resource without a POST (405): the form is read and scanned, no password is hashed.
    {
      method: 'POST',
      target: '/api/openapi.json',
      headers: { ...browser, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        name: "Ana O'Brien",
        email: 'ana.obrien@example.com',
        description: 'Q3 roadmap: migrate to Postgres 16, then <b>ship</b> the new dashboard (50% faster).',
      }).toString(),
    },
  ]
  /** p50s of the same request with and without the monitor, sent in pairs whose order alternates. */
  async function compare(request: CorpusRequest, withMonitor: string, without: string) {
    const on: number[] = []
    const off: number[] = []
    const differences: number[] = []
    for (let run = 0; run < REPEAT; run++) {
      const ip = `10.251.${(run >> 8) & 255}.${run & 255}`
      const monitorFirst = run % 2 === 0
      const a = (await send(monitorFirst ? withMonitor : without, request, ip)).ms
      const b = (await send(monitorFirst ? without : withMonitor, request, ip)).ms
      on.push(monitorFirst ? a : b)
      off.push(monitorFirst ? b : a)
      differences.push(monitorFirst ? a - b : b - a)
    }
    for (const list of [on, off, differences]) list.sort((x, y) => x - y)
    return `on ${ms(percentile(on, 0.5))}, off ${ms(percentile(off, 0.5))}; added: median of paired differences ${ms(percentile(differences, 0.5))}, difference of p50s ${ms(percentile(on, 0.5) - percentile(off, 0.5))}`
  }
  console.log(`\nAn ordinary request, monitor on vs off, ${REPEAT} pairs, alternating which goes first (p50):`)
  for (const request of ordinary) {
    const parts = [
      ...requestParts({ target: request.target, headers: request.headers, body: request.body ? { kind: 'form', text: request.body } : undefined }),
    ]
    const scans: number[] = []
    for (let run = 0; run < REPEAT * 10; run++) {
      const started = performance.now()
      scanner.scan(parts, { ...full, maxValueChars: config.SECURITY_MAX_VALUE_CHARS })
      scans.push(performance.now() - started)
    }
    scans.sort((a, b) => a - b)
    console.log(`  ${request.method} ${request.target.split('?')[0]} (${parts.length} values)`)
    console.log(`    full app:         ${await compare(request, monitored.origin, unmonitored.origin)}`)
    console.log(`    minimal express:  ${await compare(request, minimalMonitored.origin, minimalUnmonitored.origin)}`)
    console.log(`    scanner alone:    p50 ${ms(percentile(scans, 0.5))}, p90 ${ms(percentile(scans, 0.9))}`)
  }
} finally {
  await admin.end()
  for (const { server } of [monitored, unmonitored, minimalMonitored, minimalUnmonitored]) server.close()
  agent.destroy()
  await closePool()
  await database.dispose()
}
