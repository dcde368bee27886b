/**
 * `npm run dev:regions`: the multi-region data path on one machine — a
 * PostgreSQL primary and a streaming hot standby on loopback, the app in a
 * primary region (ams, on the primary) and in a replica region (iad, reading
 * from the standby), and a front proxy per region that follows `fly-replay`
 * as Fly's router does. The primary region's app seeds the demo. Ctrl-C stops
 * everything and removes the databases.
 */
import { startRegions, stopOnSignals } from './regions/apps'
import { startCluster } from './regions/cluster'

const cluster = await startCluster({ log: (line) => console.log(`  ${line}`) })
let regions: Awaited<ReturnType<typeof startRegions>>
try {
  regions = await startRegions(cluster, { primaryEnv: { SEED_DEMO: 'true' }, echo: process.argv.includes('--verbose') })
} catch (error) {
  await cluster.stop()
  throw error
}

console.log(`
  NextSaaS in two regions (Fly's router played by a local proxy):
    replica region ${regions.replica.region}: ${regions.replica.proxy.url}   reads from the standby, writes replayed to ${regions.primary.region}
    primary region ${regions.primary.region}: ${regions.primary.proxy.url}   reads and writes on the primary
  Each response names who served it: x-served-by: region=…; db=primary|replica
  Demo accounts: see ${regions.replica.proxy.url}/login (seeded by the primary region's app)
  Pause the standby's replay to see read-your-writes at work:
    psql ${cluster.standbyUrl} -c 'select pg_wal_replay_pause()'
  Ctrl-C stops everything (--verbose prints the apps' logs).
`)

stopOnSignals(regions, cluster)
