/**
 * The app for `npm run bench:realtime`, in a process of its own so that its
 * memory and its statements are its own: the Remix build behind the HTTP
 * layer, with the live-update hub. Answers the parent over IPC:
 *
 *   'count'   round trips sent to PostgreSQL so far, split into the streams'
 *             re-checks (the opening as nextsaas_auth) and everything else
 *             (the deliveries' re-reads, once the streams are open), and CPU time;
 *   'memory'  heap and resident memory after a full garbage collection.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import { pino } from 'pino'
import { getConfig } from '~/lib/config.server'
import { closePool } from '~/models/db.server'
import { loadServerBuild } from '~/server/build-output.server'
import { createHttpApp } from '~/server/http.server'
import { closeServices, createServices } from '~/server/services.server'

if (!process.send || !global.gc) throw new Error('run through scripts/bench-realtime.ts (node --expose-gc)')

const counts = { rechecks: 0, other: 0 }
const send = pg.Client.prototype.query as (...args: unknown[]) => unknown
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string } | undefined)?.text ?? '')
  if (text.includes("'nextsaas_auth'")) counts.rechecks++
  else counts.other++
  return send.apply(this, args)
} as typeof pg.Client.prototype.query

process.on('message', (message) => {
  if (message === 'count') {
    const cpu = process.cpuUsage()
    process.send!({ ...counts, cpuMs: (cpu.user + cpu.system) / 1000 })
  } else if (message === 'memory') {
    global.gc!()
    global.gc!()
    const memory = process.memoryUsage()
    process.send!({ heapUsed: memory.heapUsed, rss: memory.rss, external: memory.external + memory.arrayBuffers })
  }
})

const config = getConfig()
const build = await loadServerBuild()
const logger = pino({ level: config.LOG_LEVEL })
const services = createServices(config, logger)
const server = http.createServer(createHttpApp({ build, config, logger, services }))
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
// Wait for the change listener before reporting ready.
while (!services.liveUpdates?.ready()) await new Promise((resolve) => setTimeout(resolve, 20))
process.send({ port: (server.address() as AddressInfo).port })

process.once('disconnect', () => {
  void closeServices(services)
    .then(() => {
      server.closeAllConnections()
      server.close()
      return closePool()
    })
    .finally(() => process.exit(0))
})
