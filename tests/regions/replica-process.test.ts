/**
 * The models in a replica region's process, against a real streaming
 * standby: readiness (replicaCaughtUp, the pool's ping), and a write that
 * slipped into a read noted for replay instead of failing the page.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appPoolProbe, closePool, getPool, readFromReplica, replicaRefusedWrite, sql, withAuthService } from '~/models/db.server'
import { replicaCaughtUp, replicaLagSeconds } from '~/models/health.server'
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
    expect(await replicaLagSeconds()).toBe(0)
    await expect(replicaCaughtUp(5)).resolves.toBeUndefined()
    await cluster.pauseReplay()
    try {
      await primary.query(`insert into lag_probe values (1)`)
      await sleep(1500)
      await expect(replicaCaughtUp(1)).rejects.toThrow(/s behind the primary \(the bound is 1 s\)/)
      expect(await replicaLagSeconds()).toBeGreaterThan(1)
      await expect(replicaCaughtUp(60)).resolves.toBeUndefined()
    } finally {
      await cluster.resumeReplay()
    }
  })

  it('notes a write that the replica refused, so that the request is replayed to the primary', async () => {
    const seen = await readFromReplica(async () => {
      await (await getPool()).query(sql.unsafe`select 1`)
      const afterRead = replicaRefusedWrite()
      await expect(withAuthService((tx) => tx.query(sql.unsafe`update auth.sessions set last_seen_at = now() where false`))).rejects.toThrow(
        /read-only transaction/,
      )
      return { afterRead, afterWrite: replicaRefusedWrite() }
    })
    expect(seen).toEqual({ afterRead: false, afterWrite: true })
    // Another request starts clean.
    expect(await readFromReplica(async () => replicaRefusedWrite())).toBe(false)
  })

  it('is not ready, and says so, while the standby is down', async () => {
    await cluster.stopStandby()
    try {
      await expect(replicaCaughtUp(5)).rejects.toThrow()
      await expect(appPoolProbe().ping()).rejects.toThrow()
    } finally {
      await cluster.startStandby()
    }
  }, 30_000)
})
