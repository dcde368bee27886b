/**
 * A throwaway Citus cluster (coordinator and two workers on free loopback
 * ports, in a temp folder), migrated and distributed: what tests and
 * benchmarks use instead of db/throwaway.ts's database. dispose() runs the
 * steps given to onDispose, then stops the cluster and removes its folder.
 */
import { mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { appDatabasePassword, parseConfig } from '~/lib/config.server'
import { migrate } from '../migrate'
import { freePort } from '../throwaway'
import { uniqueDatabaseName } from '../unique-name'
import { startCitusCluster } from './cluster'
import { distribute } from './distribute'

export async function openCitusThrowawayDatabase() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nextsaas-citus-'))
  const cluster = await startCitusCluster({
    dir,
    ports: [await freePort(), await freePort(), await freePort()],
    database: uniqueDatabaseName('nextsaas_citus'),
    persistent: false,
  })
  const steps: (() => unknown)[] = []
  let disposed: Promise<void> | undefined
  const dispose = () =>
    (disposed ??= (async () => {
      for (const step of steps)
        await Promise.resolve()
          .then(step)
          .catch((error: unknown) => console.error('cleanup:', error))
      await cluster.stop()
    })())
  try {
    await migrate({ databaseUrl: cluster.adminUrl, direction: 'up', appPassword: appDatabasePassword(parseConfig(process.env)) })
    await distribute(cluster.adminUrl)
  } catch (error) {
    await dispose()
    throw error
  }
  return {
    url: cluster.adminUrl,
    workerPorts: cluster.workerPorts,
    /** Runs before the cluster stops, in the order given. */
    onDispose: (step: () => unknown) => void steps.push(step),
    dispose,
  }
}
