/**
 * What the database announces after a change, captured on a raw LISTEN
 * connection: ids only (organization, table, operation, row, workspace and
 * project, actor, event id) for every table with a trigger; nothing for a
 * transaction that rolled back; event ids that only grow.
 */
import { setTimeout } from 'node:timers/promises'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { CHANGE_TABLES, CHANGES_CHANNEL, parseChange } from '~/models/changes.server'
import { adminClient } from '../utils/db'
import { setupDatabase } from '../utils/fixture'
import { createTenant } from '../utils/tenants'

const ctx = setupDatabase()
let listener: pg.Client
const payloads: string[] = []

beforeAll(async () => {
  listener = await adminClient()
  listener.on('notification', (message) => {
    if (message.channel === CHANGES_CHANNEL) payloads.push(message.payload ?? '')
  })
  await listener.query(`listen ${CHANGES_CHANNEL}`)
})
afterAll(() => listener.end())

/** The payloads announced while `work` ran (and shortly after: notifications arrive asynchronously). */
async function announced(work: () => Promise<unknown>) {
  payloads.length = 0
  await work()
  await setTimeout(150)
  return payloads.splice(0)
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const SECRET_WORDS = ['Zanzibar', 'zanzibar', 'invitee', 'attack-sample', '10.9.8.7', 'Ana Tenant']

describe('the NOTIFY payload', () => {
  test('every table with a trigger announces insert, update and delete with ids only', async () => {
    const { org, user, workspaceId } = await createTenant('Ana Tenant')
    const a = ctx.admin
    const seen = await announced(async () => {
      const ws = (
        await a.query(
          `insert into workspaces (organization_id, name, slug, description) values ($1, 'Zanzibar', 'zanzibar', 'Zanzibar plans') returning id`,
          [org.id],
        )
      ).rows[0].id as string
      await a.query(`update workspaces set name = 'Zanzibar 2' where id = $1`, [ws])
      const project = (
        await a.query(
          `insert into projects (organization_id, workspace_id, name, slug) values ($1, $2, 'Zanzibar launch', 'zanzibar') returning id`,
          [org.id, workspaceId],
        )
      ).rows[0].id as string
      await a.query(`update projects set description = 'Zanzibar' where id = $1`, [project])
      await a.query(`delete from projects where id = $1`, [project])
      await a.query(`delete from workspaces where id = $1`, [ws])
      const role = (
        await a.query(
          `insert into roles (organization_id, key, name, permissions) values ($1, 'zanzibar', 'Zanzibar', '{project:view}') returning id`,
          [org.id],
        )
      ).rows[0].id as string
      await a.query(`update roles set name = 'Zanzibar 3' where id = $1`, [role])
      const other = await createTenant('invitee')
      await a.query(
        `insert into organization_members (organization_id, user_id, role, status, joined_at) values ($1, $2, 'zanzibar', 'active', now())`,
        [org.id, other.user.id],
      )
      await a.query(`update organization_members set status = 'suspended' where organization_id = $1 and user_id = $2`, [org.id, other.user.id])
      await a.query(`delete from organization_members where organization_id = $1 and user_id = $2`, [org.id, other.user.id])
      await a.query(`delete from roles where id = $1`, [role])
      const invitation = (
        await a.query(
          `insert into invitations (organization_id, email, role, token_hash, invited_by, expires_at)
           values ($1, 'invitee@zanzibar.test', 'member', repeat('ab', 32), $2, now() + interval '1 day') returning id`,
          [org.id, user.id],
        )
      ).rows[0].id as string
      await a.query(`update invitations set revoked_at = now() where id = $1`, [invitation])
      await a.query(`delete from invitations where id = $1`, [invitation])
      await a.query(
        `insert into audit_logs (organization_id, user_id, action, resource_type, resource_id, details, ip_address, result)
         values ($1, $2, 'zanzibar.made', 'workspace', 'zanzibar', '{"name":"Zanzibar"}', '10.9.8.7', 'success')`,
        [org.id, user.id],
      )
      await a.query(
        `insert into security_events (organization_id, type, severity, rule_id, sample, ip_address, endpoint)
         values ($1, 'XSS_ATTEMPT', 'HIGH', 'xss-script', 'attack-sample Zanzibar', '10.9.8.7', '/orgs/zanzibar')`,
        [org.id],
      )
      await a.query(`update security_events set count = count + 1 where organization_id = $1`, [org.id])
      await a.query(`delete from security_events where organization_id = $1`, [org.id])
    })

    const changes = seen.map((payload) => parseChange(payload))
    expect(changes.every(Boolean)).toBe(true)
    for (const payload of seen) {
      for (const word of SECRET_WORDS) expect(payload).not.toContain(word)
      const body = JSON.parse(payload) as Record<string, unknown>
      expect(Object.keys(body).every((key) => ['id', 'org', 'table', 'op', 'row', 'ws', 'project', 'actor'].includes(key))).toBe(true)
      for (const key of ['org', 'row', 'ws', 'project', 'actor']) if (key in body) expect(body[key]).toMatch(UUID)
    }
    const ours = changes.filter((change) => change!.org === org.id)
    for (const table of CHANGE_TABLES) {
      const ops = new Set(ours.filter((change) => change!.table === table).map((change) => change!.op))
      if (table === 'audit_logs') expect(ops.has('insert')).toBe(true)
      else expect([...ops].sort()).toEqual(['delete', 'insert', 'update'])
    }
    const projectChanges = ours.filter((change) => change!.table === 'projects')
    expect(projectChanges.every((change) => change!.ws === workspaceId && change!.project === change!.row)).toBe(true)
    const ids = changes.map((change) => change!.id)
    expect(ids).toEqual([...ids].sort((x, y) => x - y))
  })

  test('a change made as a member names them as the actor; one rolled back announces nothing', async () => {
    const { org, user } = await createTenant('Actor')
    const client = await adminClient()
    try {
      const rolledBack = await announced(async () => {
        await client.query('begin')
        await client.query(`insert into workspaces (organization_id, name, slug) values ($1, 'Never', 'never')`, [org.id])
        await client.query('rollback')
      })
      expect(rolledBack).toEqual([])
      const committed = await announced(async () => {
        await client.query('begin')
        await client.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: user.id })])
        await client.query(`insert into workspaces (organization_id, name, slug) values ($1, 'Kept', 'kept')`, [org.id])
        await client.query('commit')
      })
      expect(committed.map((payload) => parseChange(payload))).toEqual([
        expect.objectContaining({ org: org.id, table: 'workspaces', op: 'insert', actor: user.id }),
      ])
    } finally {
      await client.end()
    }
  })
})
