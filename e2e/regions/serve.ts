/**
 * The regions setup for the browser test (e2e/regions/journey.regions.ts):
 * a primary and a streaming standby, the app in a primary and a replica
 * region, and the replica region's replay-aware proxy on E2E_REGIONS_PORT.
 * Playwright's webServer starts it; SIGTERM or SIGINT stops everything.
 */
import { startRegions, stopOnSignals } from '../../scripts/regions/apps'
import { startCluster } from '../../scripts/regions/cluster'

const port = Number(process.env.E2E_REGIONS_PORT)
const cluster = await startCluster()
let regions: Awaited<ReturnType<typeof startRegions>>
try {
  regions = await startRegions(cluster, { replicaProxyPort: port, env: { LOG_LEVEL: 'warn', RATE_LIMIT_MAX_REQUESTS: '2000' } })
} catch (error) {
  await cluster.stop()
  throw error
}
console.error(`regions e2e: replica region at ${regions.replica.proxy.url}`)

stopOnSignals(regions, cluster)
