/**
 * Each organization's audit rows form a hash chain that audit:verify
 * recomputes. The chain holds under concurrent inserts from several
 * connections, and a superuser who alters, deletes or reorders a row is
 * caught.
 */
import { spawnSync } from 'node:child_process'
import { generateKeyPairSync, randomUUID } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import pg from 'pg'
import { describe, expect, inject, test } from 'vitest'
import { appDatabasePassword, parseConfig, type Config } from '~/lib/config.server'
import { writeAudit } from '~/models/audit.server'
import { sql, withTenant } from '~/models/db.server'
import { ACCOUNT_CHAIN, verifyChain, verifyFromCheckpoint } from '../../db/audit-chain'
import { checkpointKey, type CheckpointKey } from '../../db/audit-checkpoint'
import { pruneAuditLogs } from '../../db/audit-prune'
import { migrate, MIGRATIONS_DIR } from '../../db/migrate'
import { createDatabase } from '../../db/throwaway'
import { setupDatabase } from '../utils/fixture'
import { createTenant } from '../utils/tenants'

const db = setupDatabase()

type Tenant = Awaited<ReturnType<typeof createTenant>>

/** `count` audit rows written at once, each in a transaction of its own (so on several pooled connections). */
function writeConcurrently(tenant: Tenant, count: number) {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      withTenant(tenant.actor, (tx) => writeAudit(tx, tenant.actor, { action: 'test.written', resourceType: 'test', details: { i } })),
    ),
  )
}

async function positions(orgId: string) {
  const { rows } = await db.admin.query(`select chain_position::int as p from audit_logs where organization_id = $1 order by chain_position`, [orgId])
  return rows.map((r) => r.p as number)
}

async function tenantWithRows(label: string, count = 6) {
  const tenant = await createTenant(label)
  await writeConcurrently(tenant, count)
  expect((await verifyChain(db.admin, tenant.org.id)).ok).toBe(true)
  return tenant
}

/** Row `position` of an organization's chain, as a superuser changes it. */
const at = (orgId: string, position: number) => [orgId, position]

describe('the chain', () => {
  test('concurrent inserts from several connections into two organizations make one valid chain each', async () => {
    const [a, b] = await Promise.all([createTenant('Chain A'), createTenant('Chain B')])
    const before = { a: (await positions(a.org.id)).length, b: (await positions(b.org.id)).length }
    await Promise.all([writeConcurrently(a, 40), writeConcurrently(b, 40)])
    for (const [tenant, earlier] of [
      [a, before.a],
      [b, before.b],
    ] as const) {
      const found = await positions(tenant.org.id)
      expect(found).toEqual(Array.from({ length: earlier + 40 }, (_, i) => i + 1))
      const report = await verifyChain(db.admin, tenant.org.id)
      expect(report).toMatchObject({ ok: true, rows: earlier + 40, head: { position: earlier + 40 } })
    }
  })

  test('the chain columns are the trigger’s: what an insert says about them is overwritten', async () => {
    const tenant = await createTenant('Chain forger')
    await withTenant(tenant.actor, (tx) =>
      tx.query(sql.unsafe`
        insert into audit_logs (organization_id, user_id, action, resource_type, result, chain_position, prev_hash, hash, actor_id)
        values (${tenant.org.id}, ${tenant.user.id}, 'forged.row', 'test', 'success', 1000, '\\x00', '\\x00', gen_random_uuid())`),
    )
    const { rows } = await db.admin.query(
      `select chain_position::int as p, actor_id from audit_logs where organization_id = $1 and action = 'forged.row'`,
      [tenant.org.id],
    )
    expect(rows[0]).toEqual({ p: (await positions(tenant.org.id)).length, actor_id: tenant.user.id })
    expect((await verifyChain(db.admin, tenant.org.id)).ok).toBe(true)
  })

  test('rows outside any organization form a chain of their own', async () => {
    await createTenant('Account events')
    expect(await verifyChain(db.admin, ACCOUNT_CHAIN)).toMatchObject({ ok: true })
  })
})

test('the migration chains the rows written before it, in the order they were written', async () => {
  const database = await createDatabase(inject('adminUrl'), 'nextsaas_chain_backfill')
  const options = { databaseUrl: database.url, appPassword: appDatabasePassword(parseConfig(process.env)) }
  const client = new pg.Client({ connectionString: database.url })
  try {
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort()
    const chainMigration = files.findIndex((f) => f.endsWith('_audit_hash_chain.sql'))
    await migrate({ ...options, direction: 'up', count: chainMigration })
    await client.connect()
    await client.query(`
      insert into audit_logs (organization_id, action, resource_type, result, created_at)
      select org, 'old.row', 'test', 'success', now() - make_interval(days => n)
      from (values ('11111111-1111-1111-1111-111111111111'::uuid), ('22222222-2222-2222-2222-222222222222'::uuid), (null)) o(org), generate_series(1, 5) n`)
    await migrate({ ...options, direction: 'up' })
    await client.query(
      `insert into audit_logs (organization_id, action, resource_type, result) values ('11111111-1111-1111-1111-111111111111', 'new.row', 'test', 'success')`,
    )
    for (const chain of ['11111111-1111-1111-1111-111111111111', '22222222-2222-2222-2222-222222222222', ACCOUNT_CHAIN])
      expect(await verifyChain(client, chain), chain).toMatchObject({ ok: true })
    const { rows } = await client.query(
      `select action, chain_position::int as p from audit_logs where organization_id = '11111111-1111-1111-1111-111111111111' order by created_at`,
    )
    expect(rows.map((r) => r.p)).toEqual([1, 2, 3, 4, 5, 6])
    expect(rows.at(-1).action).toBe('new.row')
  } finally {
    await client.end().catch(() => undefined)
    await database.drop()
  }
})

describe('a superuser’s tampering is detected', () => {
  test('altering a row’s content', async () => {
    const { org } = await tenantWithRows('Tamper content')
    await db.admin.query(`update audit_logs set details = '{"i": 999}' where organization_id = $1 and chain_position = $2`, at(org.id, 3))
    expect(await verifyChain(db.admin, org.id)).toMatchObject({ ok: false, problem: 'at position 3: its content does not match its hash' })
  })

  test('altering a row and recomputing its own hash (the next link breaks)', async () => {
    const { org } = await tenantWithRows('Tamper rehash')
    await db.admin.query(`update audit_logs set result = 'failure' where organization_id = $1 and chain_position = $2`, at(org.id, 2))
    await db.admin.query(
      `update audit_logs a set hash = audit_row_hash(a.prev_hash, a) where organization_id = $1 and chain_position = $2`,
      at(org.id, 2),
    )
    expect(await verifyChain(db.admin, org.id)).toMatchObject({ ok: false, problem: 'at position 3: its prev_hash is not the hash of row 2' })
  })

  test('deleting a row', async () => {
    const { org } = await tenantWithRows('Tamper delete')
    await db.admin.query(`delete from audit_logs where organization_id = $1 and chain_position = $2`, at(org.id, 4))
    expect(await verifyChain(db.admin, org.id)).toMatchObject({ ok: false, problem: 'at position 5: row 4 is missing (the next row found is 5)' })
  })

  test('deleting the last row', async () => {
    const { org } = await tenantWithRows('Tamper tail')
    const last = (await positions(org.id)).at(-1)!
    await db.admin.query(`delete from audit_logs where organization_id = $1 and chain_position = $2`, at(org.id, last))
    expect((await verifyChain(db.admin, org.id)).problem).toMatch(`the head is at position ${last} but the last row is at ${last - 1}`)
  })

  test('reordering rows by swapping their times', async () => {
    const { org } = await tenantWithRows('Tamper reorder times')
    await db.admin.query(
      `update audit_logs a set created_at = b.created_at
       from audit_logs b where a.organization_id = $1 and b.organization_id = $1
         and ((a.chain_position = 2 and b.chain_position = 5) or (a.chain_position = 5 and b.chain_position = 2))`,
      [org.id],
    )
    expect((await verifyChain(db.admin, org.id)).problem).toMatch(/^at position 2: its content does not match its hash/)
  })

  test('reordering rows by swapping their positions', async () => {
    const { org } = await tenantWithRows('Tamper reorder positions')
    await db.admin.query(
      `update audit_logs set chain_position = case chain_position when 2 then -5 else -2 end
       where organization_id = $1 and chain_position in (2, 5)`,
      [org.id],
    )
    await db.admin.query(`update audit_logs set chain_position = -chain_position where organization_id = $1 and chain_position < 0`, [org.id])
    expect((await verifyChain(db.admin, org.id)).problem).toMatch(/^at position 2: /)
  })

  test('pointing a row at another user', async () => {
    const { org } = await tenantWithRows('Tamper actor')
    const other = await createTenant('Someone else')
    await db.admin.query(`update audit_logs set user_id = $3 where organization_id = $1 and chain_position = $2`, [...at(org.id, 2), other.user.id])
    expect(await verifyChain(db.admin, org.id)).toMatchObject({ ok: false, problem: 'at position 2: its user is not the actor it was written with' })
  })

  test('a deleted account (user_id set to null) does not break the chain', async () => {
    const tenant = await tenantWithRows('Leaves')
    await db.admin.query(`update audit_logs set user_id = null where organization_id = $1`, [tenant.org.id])
    expect((await verifyChain(db.admin, tenant.org.id)).ok).toBe(true)
  })
})

test('npm run audit:verify -- --org <id> exits 1 and names the first broken link', async () => {
  const { org } = await tenantWithRows('Verify command')
  const run = () =>
    spawnSync(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts', '--org', org.id], {
      env: { ...process.env, DATABASE_URL: inject('databaseUrl') },
      encoding: 'utf8',
      timeout: 60_000,
    })
  const good = run()
  expect(good.stdout).toMatch(new RegExp(`^ok +${org.id} \\d+ rows, head \\d+ [0-9a-f]{64}$`, 'm'))
  expect(good.status).toBe(0)
  await db.admin.query(`update audit_logs set action = 'nothing.happened' where organization_id = $1 and chain_position = 1`, [org.id])
  const bad = run()
  expect(bad.stdout).toContain(`BROKEN ${org.id} at position 1: its content does not match its hash`)
  expect(bad.status).toBe(1)
})

describe('retention: the prune cuts a chain at a signed checkpoint', () => {
  const DAY = 86_400_000
  const pem = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const configWith = (env: Record<string, string>) => parseConfig({ ...process.env, AUDIT_RETENTION_MAX_DAYS: '30', ...env })

  /** A tenant whose rows so far will be old at `now + 45 days`, then two rows still young then. */
  async function agedTenant(label: string) {
    const tenant = await tenantWithRows(label)
    const old = (await positions(tenant.org.id)).length
    await db.admin.query(
      `insert into audit_logs (organization_id, action, resource_type, result, created_at)
       select $1, 'later.row', 'test', 'success', now() + interval '20 days' from generate_series(1, 2)`,
      [tenant.org.id],
    )
    return { ...tenant, old, later: new Date(Date.now() + 45 * DAY) }
  }

  async function pruneOne(orgId: string, config: Config, key: CheckpointKey, now: Date) {
    const [result] = await pruneAuditLogs(db.admin, config, key, { organizationId: orgId, now })
    return result!
  }

  test('rows past the retention go, a checkpoint records the cut, and the chain still verifies and grows', async () => {
    const config = configWith({ AUDIT_CHECKPOINT_KEY: pem() })
    const key = (await checkpointKey(config, { create: false }))!
    const { org, old, later, actor } = await agedTenant('Pruned')
    expect(await pruneOne(org.id, config, key, later)).toEqual({ chain: org.id, retentionDays: 30, pruned: old, checkpoint: old })
    expect(await positions(org.id)).toEqual([old + 1, old + 2])
    const { rows } = await db.admin.query(
      `select chain_position::int as p, pruned_rows::int as n, key_id from audit_checkpoints where organization_id = $1`,
      [org.id],
    )
    expect(rows).toEqual([{ p: old, n: old, key_id: key.id }])
    expect(await verifyFromCheckpoint(db.admin, org.id, key)).toMatchObject({ ok: true, rows: 2, start: { position: old } })

    await withTenant(actor, (tx) => writeAudit(tx, actor, { action: 'test.after_prune', resourceType: 'test' }))
    expect(await verifyFromCheckpoint(db.admin, org.id, key)).toMatchObject({ ok: true, rows: 3 })
    // Nothing more is old enough: a second run changes nothing.
    expect(await pruneOne(org.id, config, key, later)).toMatchObject({ pruned: 0 })
  })

  test('an organization’s own retention applies, bounded by the operator’s maximum', async () => {
    const config = configWith({ AUDIT_CHECKPOINT_KEY: pem() })
    const key = (await checkpointKey(config, { create: false }))!
    const shorter = await agedTenant('Short retention')
    await db.admin.query(`update organizations set audit_retention_days = 50 where id = $1`, [shorter.org.id])
    // 50 days is more than the maximum (30): 30 applies.
    expect(await pruneOne(shorter.org.id, config, key, shorter.later)).toMatchObject({ retentionDays: 30, pruned: shorter.old })
    const longer = await agedTenant('Kept longer')
    await db.admin.query(`update organizations set audit_retention_days = 1 where id = $1`, [longer.org.id])
    expect(await pruneOne(longer.org.id, config, key, new Date(Date.now() + 2 * DAY))).toMatchObject({ retentionDays: 1, pruned: longer.old })
  })

  test('a tampered checkpoint, or one checked with another key, fails verification', async () => {
    const config = configWith({ AUDIT_CHECKPOINT_KEY: pem() })
    const key = (await checkpointKey(config, { create: false }))!
    const { org, old, later } = await agedTenant('Checkpoint tamper')
    await pruneOne(org.id, config, key, later)
    const otherKey = (await checkpointKey(configWith({ AUDIT_CHECKPOINT_KEY: pem() }), { create: false }))!
    expect((await verifyFromCheckpoint(db.admin, org.id, otherKey)).problem).toBe(
      `the checkpoint at position ${old} is not signed by key ${otherKey.id} (it names ${key.id})`,
    )
    expect((await verifyFromCheckpoint(db.admin, org.id, undefined)).problem).toMatch(/cannot be checked: no checkpoint key/)

    // A superuser moves the checkpoint back and deletes more rows: the signature no longer holds.
    await db.admin.query(
      `update audit_checkpoints set chain_position = chain_position + 1, hash = (select hash from audit_logs where organization_id = $1 and chain_position = $2) where organization_id = $1`,
      [org.id, old + 1],
    )
    await db.admin.query(`delete from audit_logs where organization_id = $1 and chain_position = $2`, [org.id, old + 1])
    expect(await verifyFromCheckpoint(db.admin, org.id, key)).toMatchObject({ ok: false, problem: expect.stringMatching(/is not signed by key/) })

    // Deleting the checkpoint altogether leaves the chain starting at a missing row 1.
    await db.admin.query(`delete from audit_checkpoints where organization_id = $1`, [org.id])
    expect((await verifyFromCheckpoint(db.admin, org.id, key)).problem).toMatch(/^at position \d+: row 1 is missing/)
  })

  test('a chain that does not verify is not pruned: deleting would hide the tampering', async () => {
    const config = configWith({ AUDIT_CHECKPOINT_KEY: pem() })
    const key = (await checkpointKey(config, { create: false }))!
    const { org, later } = await agedTenant('Tampered then pruned')
    await db.admin.query(`update audit_logs set action = 'rewritten.row' where organization_id = $1 and chain_position = 2`, [org.id])
    const before = await positions(org.id)
    expect((await pruneOne(org.id, config, key, later)).refused).toMatch(/^the chain does not verify \(at position 2: /)
    expect(await positions(org.id)).toEqual(before)
  })

  test('npm run audit:prune signs with the configured key; audit:verify checks it', async () => {
    // The log of an organization that no longer exists keeps the operator's maximum (here a day).
    const org = randomUUID()
    await db.admin.query(
      `insert into audit_logs (organization_id, action, resource_type, result, created_at)
       select $1, 'gone.row', 'test', 'success', now() - make_interval(days => 4 - n) from generate_series(1, 4) n`,
      [org],
    )
    const env = { ...process.env, DATABASE_URL: inject('databaseUrl'), AUDIT_CHECKPOINT_KEY: pem(), AUDIT_RETENTION_MAX_DAYS: '1' }
    const run = (script: string, extra: Record<string, string> = {}) =>
      spawnSync(process.execPath, ['--import', 'tsx', script, '--org', org], { env: { ...env, ...extra }, encoding: 'utf8', timeout: 60_000 })
    const pruned = run('scripts/audit-prune.ts')
    expect(pruned.stdout).toContain(`pruned  ${org} 3 rows older than 1 days, checkpoint at 3`)
    expect(pruned.status).toBe(0)
    const verified = run('scripts/audit-verify.ts')
    expect(verified.stdout).toMatch(new RegExp(`^ok +${org} 1 rows from checkpoint 3, head 4 [0-9a-f]{64}$`, 'm'))
    expect(verified.status).toBe(0)
    const otherKey = run('scripts/audit-verify.ts', { AUDIT_CHECKPOINT_KEY: pem() })
    expect(otherKey.stdout).toContain(`BROKEN ${org} the checkpoint at position 3 is not signed by key`)
    expect(otherKey.status).toBe(1)
  })
})
