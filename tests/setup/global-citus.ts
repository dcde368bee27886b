import { mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { appDatabasePassword, parseConfig } from '~/lib/config.server'
import { startCitusCluster } from '../../db/citus/cluster'
import { distribute } from '../../db/citus/distribute'
import { migrate } from '../../db/migrate'
import { freePort } from '../../db/throwaway'

/**
 * `npm run test:citus`: instead of a throwaway database, a Citus cluster (a
 * coordinator and two workers on loopback, in a temp folder), migrated and
 * distributed; the suites run against its coordinator.
 */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nextsaas-citus-'))
  const cluster = await startCitusCluster({
    dir,
    ports: [await freePort(), await freePort(), await freePort()],
    database: 'nextsaas',
    persistent: false,
  })
  try {
    await migrate({ databaseUrl: cluster.adminUrl, direction: 'up', appPassword: appDatabasePassword(parseConfig(process.env)) })
    await distribute(cluster.adminUrl)
  } catch (error) {
    await cluster.stop()
    throw error
  }
  project.provide('adminUrl', cluster.adminUrl)
  project.provide('databaseUrl', cluster.adminUrl)
  return () => cluster.stop()
}
