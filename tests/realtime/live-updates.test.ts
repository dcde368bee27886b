/**
 * Live updates through both doors, trying to break them with the weakest
 * actor: another organization's member, a member removed, suspended, signed
 * out or downgraded mid-stream, a revoked token (a project-scoped grant:
 * changes-through-the-app.test.ts). Runs on Citus too: the changes streams
 * wait for are made through the models, as the app makes them.
 */
import { setTimeout } from 'node:timers/promises'
import type { DatabasePool } from 'slonik'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { changeMemberRole, removeMember, setMemberStatus } from '~/models/member.server'
import { createProject, deleteProject, updateProject } from '~/models/project.server'
import { createRole } from '~/models/role.server'
import { Client, createOrg, signedUpPerson, startApp, type Person } from '../utils/app'
import { setupApp } from '../utils/fixture'
import { openSse, type SseEvent, type SseStream } from '../utils/sse'
import { addMember, membershipId } from '../utils/tenants'

const ctx = setupApp({ REALTIME_MAX_STREAMS_PER_USER: 4 })

let ana: Person
let bob: Person
let slugA: string
let slugB: string
let orgA: string
let orgB: string
let generalA: string

const person = (name: string) => signedUpPerson(ctx.origin, ctx.admin, name)

const memberIdOf = (userId: string) => membershipId(ctx.admin, orgA, userId)

const orgId = async (slug: string) => (await ctx.admin.query('select id from organizations where slug = $1', [slug])).rows[0].id as string

/** The page door's stream for a signed-in client. */
const pageStream = (who: Client, slug: string, headers: Record<string, string> = {}, origin = ctx.origin) =>
  openSse(`${origin}/orgs/${slug}/events`, { cookie: who.cookie, ...headers })

const streams: SseStream[] = []
async function opened(stream: Promise<SseStream>) {
  const s = await stream
  streams.push(s)
  expect(s.status).toBe(200)
  expect(s.headers.get('content-type')).toMatch(/^text\/event-stream/)
  return s
}
afterAll(() => streams.forEach((s) => s.close()))

const changeOf = (table: string, id: string, op?: string) => (event: SseEvent) =>
  event.event === 'change' && event.data.table === table && event.data.id === id && (!op || event.data.op === op)

/** Waits until the hub has had time to deliver (a tick and a re-read), for "nothing arrived" checks. */
const settle = () => setTimeout(300)

/** A project Ana makes in her general workspace, through the model as the pages do: announced on either kind of database. */
async function newProjectByAna(name: string, slug: string) {
  return (await createProject({ userId: ana.id, organizationId: orgA }, generalA, { name, slug, description: '' })).id
}

async function insertReturningId(text: string, values: unknown[]) {
  return (await ctx.admin.query(text, values)).rows[0].id as string
}

/** One change on every table with a trigger, in `org`; returns the rows' ids by table. */
async function touchEveryTable(org: string, workspaceId: string, label: string, actorId: string) {
  const ws = await insertReturningId(`insert into workspaces (organization_id, name, slug) values ($1, $2, $3) returning id`, [
    org,
    `${label} ws`,
    `${label}-ws`,
  ])
  const project = await insertReturningId(`insert into projects (organization_id, workspace_id, name, slug) values ($1, $2, $3, $4) returning id`, [
    org,
    workspaceId,
    `${label} project`,
    `${label}-project`,
  ])
  const role = await insertReturningId(`insert into roles (organization_id, key, name, permissions) values ($1, $2, $3, '{}') returning id`, [
    org,
    `${label}-role`,
    `${label} role`,
  ])
  const member = (await ctx.admin.query(`update organization_members set updated_at = now() where organization_id = $1 returning id`, [org])).rows[0]
    .id as string
  const invitation = await insertReturningId(
    `insert into invitations (organization_id, email, role, token_hash, invited_by, expires_at)
     values ($1, $2, 'member', encode(sha256(convert_to($2, 'UTF8')), 'hex'), $3, now() + interval '1 day') returning id`,
    [org, `${label}@invitee.test`, actorId],
  )
  const audit = await insertReturningId(
    `insert into audit_logs (organization_id, user_id, action, resource_type, result) values ($1, $2, 'test.touched', 'organization', 'success') returning id`,
    [org, actorId],
  )
  const security = await insertReturningId(
    `insert into security_events (organization_id, type, severity, rule_id, ip_address) values ($1, 'XSS_ATTEMPT', 'HIGH', $2, '10.1.2.3') returning id`,
    [org, `rule-${label}`],
  )
  return { workspaces: ws, projects: project, roles: role, members: member, invitations: invitation, audit_logs: audit, security_events: security }
}

beforeAll(async () => {
  ana = await person('Ana Alpha')
  bob = await person('Bob Beta')
  slugA = await createOrg(ana, 'Alpha Live')
  slugB = await createOrg(bob, 'Beta Live')
  orgA = await orgId(slugA)
  orgB = await orgId(slugB)
  generalA = (await ctx.admin.query(`select id from workspaces where organization_id = $1 and is_default`, [orgA])).rows[0].id
})

describe('each organization’s events reach only its members', () => {
  // The tables' own triggers, changed by hand: on Citus they are off, and the audit trail announces the app's changes (audited-changes.test.ts).
  test.skipIf(process.env.DATABASE_CITUS === 'true')('for every table with a trigger', async () => {
    const anaStream = await opened(pageStream(ana, slugA))
    const bobStream = await opened(pageStream(bob, slugB))
    const generalB = (await ctx.admin.query(`select id from workspaces where organization_id = $1 and is_default`, [orgB])).rows[0].id
    const a = await touchEveryTable(orgA, generalA, 'alpha', ana.id)
    const b = await touchEveryTable(orgB, generalB, 'beta', bob.id)
    for (const [table, id] of Object.entries(a)) await anaStream.next(changeOf(table, id))
    for (const [table, id] of Object.entries(b)) await bobStream.next(changeOf(table, id))
    await settle()
    const idsOf = (s: SseStream) => new Set(s.events.filter((e) => e.event === 'change').map((e) => e.data.id as string))
    for (const id of Object.values(b)) expect(idsOf(anaStream).has(id)).toBe(false)
    for (const id of Object.values(a)) expect(idsOf(bobStream).has(id)).toBe(false)
    // The event carries the row as the reader may see it, never a secret.
    const project = anaStream.events.find(changeOf('projects', a.projects))!
    expect(project.data).toMatchObject({ op: 'insert', workspaceId: generalA, projectId: a.projects, row: { name: 'alpha project' } })
    const invitation = anaStream.events.find(changeOf('invitations', a.invitations))!
    expect(invitation.data.row).not.toHaveProperty('token_hash')
    expect(JSON.stringify(anaStream.events)).not.toContain('10.1.2.3')
  })

  test('someone else’s organization is the same 404 as none; a signed-out visitor is sent to sign in', async () => {
    const theirs = await bob.get(`/orgs/${slugA}/events`)
    expect(theirs.status).toBe(404)
    await theirs.body?.cancel()
    const anonymous = await new Client(ctx.origin).get(`/orgs/${slugA}/events`)
    expect(anonymous.status).toBe(302)
  })
})

describe('a reader who loses access mid-stream', () => {
  async function memberOfA(name: string, role = 'member') {
    const who = await person(name)
    await addMember(ctx.admin, orgA, who.id, role)
    const stream = await opened(pageStream(who, slugA))
    return { who, stream }
  }

  /** The stream ends within 5 s (an `end` event, then the connection closes), and nothing after the loss reached it. */
  async function endsWithin5s(stream: SseStream, lostAt: number) {
    await Promise.race([stream.ended, setTimeout(5000).then(() => Promise.reject(new Error('still open after 5 s')))])
    expect(Date.now() - lostAt).toBeLessThan(5000)
    expect(stream.events.at(-1)?.event).toBe('end')
  }

  test('removed or suspended: the stream ends within 5 seconds, and nothing after reaches it', async () => {
    const removed = await memberOfA('Rita Removed')
    const suspended = await memberOfA('Sam Suspended')
    const owner = { userId: ana.id, organizationId: orgA }
    const lostAt = Date.now()
    await removeMember(owner, ['*'], await memberIdOf(removed.who.id))
    await setMemberStatus(owner, ['*'], await memberIdOf(suspended.who.id), 'suspended')
    const after = await newProjectByAna('After', 'after-loss')
    await Promise.all([removed, suspended].map(({ stream }) => endsWithin5s(stream, lostAt)))
    for (const { stream } of [removed, suspended]) expect(stream.events.some((e) => e.data?.id === after)).toBe(false)
  })

  test('signed out elsewhere or the session expired: the stream ends within 5 seconds', async () => {
    // No member row changes: only the periodic re-check can notice.
    const signedOut = await memberOfA('Sid Signedout')
    const expired = await memberOfA('Eve Expired')
    const lostAt = Date.now()
    await ctx.admin.query(`delete from auth.sessions where user_id = $1`, [signedOut.who.id])
    await ctx.admin.query(`update auth.sessions set expires_at = now() where user_id = $1`, [expired.who.id])
    await Promise.all([endsWithin5s(signedOut.stream, lostAt), endsWithin5s(expired.stream, lostAt)])
  })

  test('a role that loses project:view stops receiving project events at once', async () => {
    const { who, stream } = await memberOfA('Dora Downgraded')
    const before = await newProjectByAna('Before', 'before-down')
    await stream.next(changeOf('projects', before))
    const owner = { userId: ana.id, organizationId: orgA }
    const nothing = await createRole(owner, ['*'], { name: `Nothing ${who.id.slice(0, 8)}`, permissions: ['organization:view'] })
    const membership = await memberIdOf(who.id)
    await changeMemberRole(owner, ['*'], membership, nothing.key)
    const after = await newProjectByAna('After', 'after-down')
    await deleteProject(owner, before)
    // Then a change she sees, still without project:view (her own membership, to another such role): a stream's
    // events come in order, so what came before it has been judged.
    const stillNothing = await createRole(owner, ['*'], { name: `Still nothing ${who.id.slice(0, 8)}`, permissions: ['organization:view'] })
    await changeMemberRole(owner, ['*'], membership, stillNothing.key)
    await stream.next((e) => changeOf('members', membership, 'update')(e) && e.data.row?.role === stillNothing.key)
    expect(stream.events.some((e) => e.data?.id === after)).toBe(false)
    expect(stream.events.some((e) => changeOf('projects', before, 'delete')(e))).toBe(false)
  })
})

describe('resuming', () => {
  test('Last-Event-ID replays what was missed, as the reader sees it now', async () => {
    const first = await opened(pageStream(ana, slugA))
    const seenProject = await newProjectByAna('Seen', 'seen')
    const seen = await first.next(changeOf('projects', seenProject))
    first.close()
    const missed = await newProjectByAna('Missed', 'missed')
    await settle()
    const resumed = await opened(pageStream(ana, slugA, { 'last-event-id': seen.id! }))
    const replayed = await resumed.next(changeOf('projects', missed))
    expect(Number(replayed.id)).toBeGreaterThan(Number(seen.id))
    expect(resumed.events.some(changeOf('projects', seenProject))).toBe(false)
  })

  test('beyond the replay window the client is told to reload', async () => {
    const app = await startApp({ REALTIME_REPLAY_SECONDS: 1 })
    try {
      const first = await opened(pageStream(ana, slugA, {}, app.origin))
      const project = await newProjectByAna('Old', 'old')
      const seen = await first.next(changeOf('projects', project))
      first.close()
      await setTimeout(1200)
      await updateProject({ userId: ana.id, organizationId: orgA }, project, { name: 'Old', slug: 'old', description: 'later' })
      const late = await opened(pageStream(ana, slugA, { 'last-event-id': seen.id! }, app.origin))
      await late.next((e) => e.event === 'reload')
      expect(late.events.some((e) => e.event === 'change')).toBe(false)
      late.close()
    } finally {
      await app.close()
    }
  })
})

describe('limits and connections', () => {
  test('past the per-user limit a stream is refused with 429; streams hold no pooled connection', async () => {
    const carl = await person('Carl Count')
    await addMember(ctx.admin, orgA, carl.id, 'member')
    const open = await Promise.all([1, 2, 3, 4].map(() => opened(pageStream(carl, slugA))))
    const refused = await carl.get(`/orgs/${slugA}/events`)
    expect(refused.status).toBe(429)
    await refused.body?.cancel()
    // Four open streams holding a connection each would keep these above zero; a re-read in passing does not.
    const pool = await (globalThis as { __nextsaasPool?: Promise<DatabasePool> }).__nextsaasPool!
    await expect.poll(() => pool.state().acquiredConnections).toBe(0)
    const held = async () =>
      (
        await ctx.admin.query(
          `select count(*)::int as n from pg_stat_activity
            where state like 'idle in transaction%' and usename = 'nextsaas_app' and datname = current_database()`,
        )
      ).rows[0].n
    await expect.poll(held).toBe(0)
    open[0]!.close()
    // The server frees the slot once it sees the connection close, a moment later on a busy machine.
    const retried = async () => {
      const attempt = await pageStream(carl, slugA)
      if (attempt.status === 200) streams.push(attempt)
      else attempt.close()
      return attempt.status
    }
    await expect.poll(retried, { timeout: 5000, interval: 100 }).toBe(200)
  })

  test('past the per-organization and per-process limits a stream is refused with 429', async () => {
    const perOrg = await startApp({ REALTIME_MAX_STREAMS_PER_ORG: 1 })
    const perProcess = await startApp({ REALTIME_MAX_STREAMS: 1 })
    try {
      const first = await opened(pageStream(ana, slugA, {}, perOrg.origin))
      const refusedInOrg = await fetch(`${perOrg.origin}/orgs/${slugA}/events`, { headers: { cookie: (await person('Olga Other')).cookie } })
      // Olga is no member of A: a 404 before any limit; a member of A is refused by the limit.
      expect(refusedInOrg.status).toBe(404)
      const colleague = await person('Carla Colleague')
      await addMember(ctx.admin, orgA, colleague.id, 'member')
      const limited = await fetch(`${perOrg.origin}/orgs/${slugA}/events`, { headers: { cookie: colleague.cookie } })
      expect(limited.status).toBe(429)
      await limited.body?.cancel()
      const otherOrg = await opened(pageStream(bob, slugB, {}, perOrg.origin))
      expect(otherOrg.status).toBe(200)
      first.close()
      otherOrg.close()

      const only = await opened(pageStream(ana, slugA, {}, perProcess.origin))
      const beyond = await fetch(`${perProcess.origin}/orgs/${slugB}/events`, { headers: { cookie: bob.cookie } })
      expect(beyond.status).toBe(429)
      await beyond.body?.cancel()
      only.close()
    } finally {
      await Promise.all([perOrg.close(), perProcess.close()])
    }
  })

  test('the security monitor inspects a stream’s request like any other', async () => {
    const response = await ana.get(`/orgs/${slugA}/events?q=${encodeURIComponent('<script>alert(1)</script>')}`)
    expect(response.status).toBe(403)
    expect(response.headers.get('content-type')).not.toMatch(/event-stream/)
  })

  test('heartbeat comments keep an idle stream open', async () => {
    const app = await startApp({ REALTIME_HEARTBEAT_SECONDS: 1 })
    try {
      const stream = await opened(pageStream(ana, slugA, {}, app.origin))
      await setTimeout(1300)
      expect(stream.comments).toContain('heartbeat')
      stream.close()
    } finally {
      await app.close()
    }
  })

  test('a change made through one app process reaches a subscriber of another; closing a process ends its streams with a last event', async () => {
    const other = await startApp()
    try {
      const stream = await opened(pageStream(ana, slugA, {}, other.origin))
      const response = await ana.post(`/orgs/${slugA}/workspaces/general/projects/new`, {
        name: 'Cross process',
        slug: 'cross-process',
        description: '',
      })
      expect(response.status).toBe(302)
      await stream.next((e) => e.event === 'change' && e.data.row?.name === 'Cross process')
      expect(other.services.liveUpdates!.ready()).toBe(true)
      await other.services.liveUpdates!.close()
      await stream.ended
      expect(stream.events.at(-1)?.event).toBe('shutdown')
    } finally {
      await other.close()
    }
  })
})

describe('the change listener', () => {
  test('it reconnects after losing its connection; streams are told to reload, the metric follows', async () => {
    const app = await startApp()
    try {
      const live = app.services.liveUpdates!
      const gauge = async () => (await app.services.metrics.registry.getSingleMetric('realtime_listener_up')!.get()).values[0]!.value
      for (let waited = 0; !live.ready() && waited < 5000; waited += 20) await setTimeout(20)
      expect(await gauge()).toBe(1)
      const stream = await opened(pageStream(ana, slugA, {}, app.origin))
      const before = (await ctx.admin.query(`select pid from pg_stat_activity where application_name = 'nextsaas-changes'`)).rows.map((r) => r.pid)
      await ctx.admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where pid = any($1)`, [before])
      await stream.next((e) => e.event === 'reload', 10_000)
      expect(live.ready()).toBe(true)
      expect(await gauge()).toBe(1)
      // Listening again: a new stream receives changes.
      const again = await opened(pageStream(ana, slugA, {}, app.origin))
      const project = await newProjectByAna('Back', 'back')
      await again.next(changeOf('projects', project))
      // Every app's listener was cut, this file's own app's too: the tests after this one need it listening again.
      await expect.poll(() => ctx.app.services.liveUpdates!.ready(), { timeout: 10_000 }).toBe(true)
    } finally {
      await app.close()
    }
  })
})

describe('the API door', () => {
  async function createToken(who: Client) {
    const body = new URLSearchParams({ intent: 'create', expiresIn: '30', name: 'Live' })
    const html = await (await who.request('/account/tokens', { method: 'POST', body })).text()
    return /value="(nsp_[\w-]+)"/.exec(html)![1]!
  }

  test('a personal access token streams its organization’s events; revoked, the stream ends within 5 seconds', async () => {
    const token = await createToken(ana)
    const stream = await opened(openSse(`${ctx.origin}/api/organizations/${orgA}/events`, { authorization: `Bearer ${token}` }))
    const project = await newProjectByAna('Api', 'api-live')
    await stream.next(changeOf('projects', project))
    const revokedAt = Date.now()
    await ctx.admin.query(`update auth.api_tokens set revoked_at = now() where user_id = $1 and name = 'Live'`, [ana.id])
    await Promise.race([stream.ended, setTimeout(5000).then(() => Promise.reject(new Error('still open after 5 s')))])
    expect(Date.now() - revokedAt).toBeLessThan(5000)
    const refused = await fetch(`${ctx.origin}/api/organizations/${orgA}/events`, { headers: { authorization: `Bearer ${token}` } })
    expect(refused.status).toBe(401)
  })

  test('another organization through the API is a 404; no token is a 401', async () => {
    const token = await createToken(bob)
    const theirs = await fetch(`${ctx.origin}/api/organizations/${orgA}/events`, { headers: { authorization: `Bearer ${token}` } })
    expect(theirs.status).toBe(404)
    const none = await fetch(`${ctx.origin}/api/organizations/${orgA}/events`)
    expect(none.status).toBe(401)
  })
})
