/**
 * Readiness in a replica region (checkReplicaLag, checkDatabase): the models
 * of this test process read from a real streaming standby, as a replica
 * region's machine does.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closePool } from '~/models/db.server'
import { checkDatabase, checkReplicaLag } from '~/models/health.server'
import { postgresBinaries, startCluster, type Cluster } from '../../scripts/regions/cluster'
import { IN_CI } from '../utils/ci'

describe.runIf(postgresBinaries() || IN_CI)('readiness of a replica region', () => {
  let cluster: Cluster
  let primary: pg.Client

  beforeAll(async () => {
    cluster = await startCluster()
    // Before the first getConfig(): this process is a machine in a replica region.
    Object.assign(process.env, {
      PRIMARY_REGION: 'ams',
      FLY_REGION: 'iad',
      DATABASE_URL: cluster.primaryUrl,
      DATABASE_REPLICA_URL: cluster.appUrl('standby'),
    })
    primary = new pg.Client({ connectionString: cluster.primaryUrl })
    await primary.connect()
  }, 60_000)

  afterAll(async () => {
    await primary?.end()
    await closePool()
    await cluster?.stop()
  })

  it('is ready while the standby keeps up, and names the lag once replay stops', async () => {
    // A transaction the standby has replayed: the lag is counted from its commit.
    await primary.query(`create table lag_probe (id int)`)
    await sleep(500)
    expect(await checkReplicaLag(5)).toEqual({ status: 'ok', lagSeconds: 0 })
    await cluster.pauseReplay()
    try {
      await primary.query(`insert into lag_probe values (1)`)
      await sleep(1500)
      const lagging = await checkReplicaLag(1)
      expect(lagging.status).toBe('error')
      expect(lagging.lagSeconds).toBeGreaterThan(1)
      expect((await checkReplicaLag(60)).status).toBe('ok')
    } finally {
      await cluster.resumeReplay()
    }
  })

  it('is not ready, and says so, while the standby is down', async () => {
    await cluster.stopStandby()
    try {
      expect(await checkReplicaLag(5)).toEqual({ status: 'error', lagSeconds: null })
      expect((await checkDatabase()).status).toBe('error')
    } finally {
      await cluster.startStandby()
    }
  }, 30_000)
})
