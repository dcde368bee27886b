/** Regions as configuration, and the rules that decide what a replica region replays. */
import { describe, expect, it } from 'vitest'
import { inReplicaRegion, parseConfig, regionsOf, replicaDatabaseUrl } from '~/lib/config.server'
import { isWalPosition } from '~/models/wal-position.server'
import { writes } from '~/server/regions.server'
import { replayRegion } from '../../scripts/regions/replay-proxy'

const base = { DATABASE_URL: 'postgres://owner:secret@db.internal:5432/nextsaas' }
const config = (vars: Record<string, string> = {}) => parseConfig({ NODE_ENV: 'test', ...base, ...vars })

describe('regions configuration', () => {
  it('is one region, unchanged, without PRIMARY_REGION', () => {
    const single = config({ FLY_REGION: 'iad' })
    expect(regionsOf(single)).toBeNull()
    expect(inReplicaRegion(single)).toBe(false)
  })

  it('reads from a replica only where FLY_REGION differs from PRIMARY_REGION', () => {
    expect(inReplicaRegion(config({ PRIMARY_REGION: 'ams', FLY_REGION: 'ams' }))).toBe(false)
    expect(inReplicaRegion(config({ PRIMARY_REGION: 'ams' }))).toBe(false)
    const far = config({ PRIMARY_REGION: 'AMS', FLY_REGION: 'iad' })
    expect(regionsOf(far)).toEqual({ here: 'iad', primary: 'ams' })
    expect(inReplicaRegion(far)).toBe(true)
  })

  it("derives the replica's URL as Fly Postgres serves it (the app login, port 5433), unless DATABASE_REPLICA_URL names one", () => {
    const derived = new URL(replicaDatabaseUrl(config({ PRIMARY_REGION: 'ams', FLY_REGION: 'iad', APP_DATABASE_PASSWORD: 'app-password-long' })))
    expect([derived.username, derived.password, derived.hostname, derived.port]).toEqual(['nextsaas_app', 'app-password-long', 'db.internal', '5433'])
    const named = config({
      PRIMARY_REGION: 'ams',
      FLY_REGION: 'iad',
      DATABASE_REPLICA_URL: 'postgres://reader:x@replica.local:6432/nextsaas',
    })
    expect(replicaDatabaseUrl(named)).toBe('postgres://reader:x@replica.local:6432/nextsaas')
  })

  it('refuses a malformed region, a bad replica URL and a read-your-writes wait out of bounds', () => {
    expect(() => config({ PRIMARY_REGION: 'ams!' })).toThrow(/PRIMARY_REGION/)
    expect(() => config({ DATABASE_REPLICA_URL: 'replica' })).toThrow(/DATABASE_REPLICA_URL/)
    expect(() => config({ READ_YOUR_WRITES_WAIT_MS: '-1' })).toThrow(/READ_YOUR_WRITES_WAIT_MS/)
    expect(config().READ_YOUR_WRITES_WAIT_MS).toBe(300)
  })
})

describe('what a replica region replays', () => {
  it('replays every unsafe method and the GETs that write, and serves other reads', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) expect(writes({ method, path: '/orgs/acme' })).toBe(true)
    expect(writes({ method: 'GET', path: '/verify-email/abc' })).toBe(true)
    expect(writes({ method: 'GET', path: '/verify-email/abc.data' })).toBe(true)
    expect(writes({ method: 'GET', path: '/invitations/abc' })).toBe(true)
    // However the path is spelled: routes match it decoded and in any case.
    expect(writes({ method: 'GET', path: '/INVITATIONS/abc' })).toBe(true)
    expect(writes({ method: 'GET', path: '/%69nvitations/abc' })).toBe(true)
    expect(writes({ method: 'GET', path: '/api/organizations/4f1c/audit-logs/export' })).toBe(true)
    expect(writes({ method: 'GET', path: '/orgs/acme/audit/export' })).toBe(true)
    expect(writes({ method: 'GET', path: '/orgs/acme/audit' })).toBe(false)
    expect(writes({ method: 'GET', path: '/orgs/acme' })).toBe(false)
    expect(writes({ method: 'HEAD', path: '/api/organizations' })).toBe(false)
    expect(writes({ method: 'GET', path: '/reset-password/abc' })).toBe(false)
  })

  it('takes only a well-formed WAL position from a client', () => {
    expect(isWalPosition('0/3028FD8')).toBe(true)
    expect(isWalPosition('16/B374D848')).toBe(true)
    for (const bad of ['', '0/', '0/3028FD8; drop table', 'x/1', '123456789/1', null, undefined]) expect(isWalPosition(bad)).toBe(false)
  })

  it("reads the region out of fly-replay as Fly's proxy does", () => {
    expect(replayRegion('region=ams')).toBe('ams')
    expect(replayRegion('region=ams;state=x')).toBe('ams')
    expect(replayRegion('instance=abc')).toBeNull()
    expect(replayRegion(undefined)).toBeNull()
  })
})
