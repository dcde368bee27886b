/**
 * The two servers scripts/bench/load.ts runs, in one process so that both
 * run on the same Node runtime and take turns on the same core:
 *
 *   full  the app as `npm start` serves it: express, request context and
 *         logging, security headers and monitor, rate limits, Remix, bearer
 *         authentication, the membership lookup, withTenant() and RLS;
 *   bare  node:http running the SQL listWorkspaces() runs, on a pool with the
 *         app pool's settings but logged in as the superuser (no RLS), with
 *         no authentication and no middleware.
 *
 * Reports its ports to the parent over IPC; exits when the parent disconnects.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import { pino } from 'pino'
import { createPool, sql } from 'slonik'
import { getConfig } from '~/lib/config.server'
import { closePool, getPool } from '~/models/db.server'
import { loadServerBuild } from '~/server/build-output.server'
import { createHttpApp } from '~/server/http.server'
import { closeServices, createServices } from '~/server/services.server'

const superuserUrl = process.env.BENCH_SUPERUSER_URL
if (!superuserUrl || !process.send) throw new Error('run through scripts/bench/load.ts')

// Every statement either server sends (Slonik and Lucia both talk through pg)
// and the CPU time used: the parent asks before and after each round.
let statements = 0
const send = pg.Client.prototype.query as (...args: unknown[]) => unknown
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++
  return send.apply(this, args)
} as typeof pg.Client.prototype.query
process.on('message', () => {
  const cpu = process.cpuUsage()
  process.send!({ statements, cpuMs: (cpu.user + cpu.system) / 1000 })
})

const config = getConfig()
const build = await loadServerBuild()
const logger = pino({ level: config.LOG_LEVEL })
const services = createServices(config, logger)
const app = createHttpApp({ build, config, logger, services })

const appPool = await getPool()
const barePool = await createPool(superuserUrl, { ...appPool.configuration, connectionUri: superuserUrl })

const PAGE_SIZE = 20
const WORKSPACES = /^\/organizations\/([0-9a-f-]{36})\/workspaces$/

/** listWorkspaces()'s first page by name, with the organization filter written out instead of left to RLS. */
const listWorkspaces = (organizationId: string) => sql.unsafe`
  select w.organization_id, w.id, w.name, w.slug, w.description, w.icon, w.color, w.is_default, w.created_at, w.updated_at,
         count(*) over () as total,
         (select count(*) from projects p where p.organization_id = w.organization_id and p.workspace_id = w.id) as project_count
  from workspaces w
  where w.organization_id = ${organizationId}
  order by w.is_default desc, lower(w.name), w.id
  limit ${PAGE_SIZE} offset 0`

const bare = http.createServer((req, res) => {
  const organizationId = WORKSPACES.exec(req.url ?? '')?.[1]
  if (!organizationId) {
    res.writeHead(404).end()
    return
  }
  barePool.any(listWorkspaces(organizationId)).then(
    (rows) => {
      const total = Number(rows[0]?.total ?? 0)
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' })
      res.end(JSON.stringify({ data: rows, meta: { total, page: 1, pageSize: PAGE_SIZE } }))
    },
    (error: unknown) => {
      console.error(error)
      res.writeHead(500).end()
    },
  )
})

const listen = (server: http.Server) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)))
const full = http.createServer(app)
process.send({ full: await listen(full), bare: await listen(bare) })

process.once('disconnect', () => {
  full.closeAllConnections()
  bare.closeAllConnections()
  full.close()
  bare.close()
  void Promise.all([closeServices(services).then(closePool), barePool.end()]).finally(() => process.exit(0))
})
