/**
 * npm run citus:distribute   the distribution step on DATABASE_URL (a Citus coordinator, already migrated)
 * npm run dev:citus          a coordinator and two workers on loopback (data in CITUS_DIR, .data/citus),
 *                            migrated and distributed, and the app started against it
 */
import { spawn } from 'node:child_process'
import { appDatabasePassword, getConfig, parseConfig } from '~/lib/config.server'
import { startCitusCluster } from '../db/citus/cluster'
import { distribute } from '../db/citus/distribute'
import { migrate } from '../db/migrate'

const command = process.argv[2]

if (command === 'distribute') {
  const url = getConfig().DATABASE_URL
  if (!url) throw new Error('DATABASE_URL must name the Citus coordinator (its privileged URL)')
  await distribute(url)
  console.log('distributed')
} else if (command === 'dev') {
  const port = Number(process.env.CITUS_PORT ?? 54340)
  const cluster = await startCitusCluster({
    dir: process.env.CITUS_DIR ?? '.data/citus',
    ports: [port, port + 1, port + 2],
    database: 'nextsaas',
    persistent: true,
  })
  const stop = async () => {
    await cluster.stop()
    process.exit(0)
  }
  try {
    const env = { ...process.env, DATABASE_URL: cluster.adminUrl, DATABASE_CITUS: 'true' }
    const applied = await migrate({ databaseUrl: cluster.adminUrl, direction: 'up', appPassword: appDatabasePassword(parseConfig(env)) })
    if (applied.length) console.log(`migrations applied: ${applied.map((m) => m.name).join(', ')}`)
    await distribute(cluster.adminUrl)
    console.log(`  Citus: coordinator ${cluster.adminUrl}, workers on ports ${cluster.workerPorts.join(', ')}`)
    // The app itself is npm start's, with the demo as on the embedded database (SEED_DEMO=false leaves it out).
    const app = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      env: { ...env, SEED_DEMO: process.env.SEED_DEMO ?? 'true' },
      stdio: 'inherit',
    })
    process.once('SIGINT', () => app.kill('SIGINT'))
    process.once('SIGTERM', () => app.kill('SIGTERM'))
    app.once('exit', () => void stop())
  } catch (error) {
    await cluster.stop()
    throw error
  }
} else {
  console.error('usage: citus distribute|dev')
  process.exit(1)
}
