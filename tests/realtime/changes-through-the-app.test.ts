/**
 * Live updates of changes made through the pages, as the people streaming
 * see them. Runs on a single server and on Citus (`npm run test:citus`),
 * where the audit trail announces the app's changes: the other suites here
 * change tables by hand, which only the tables' own triggers announce.
 * Two readers in one organization share each batch's re-read, so a reader
 * who sees less than another is the test of the re-read's per-reader claims.
 */
import { setTimeout } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { addGrant } from '~/models/grant.server'
import { acceptInvitation, createInvitation } from '~/models/invitation.server'
import { createRole } from '~/models/role.server'
import { createOrg, signedUpPerson, type Person } from '../utils/app'
import { setupApp } from '../utils/fixture'
import { openSse, type SseEvent, type SseStream } from '../utils/sse'
import { membershipId } from '../utils/tenants'

// The periodic check is far off: only the removal's own announcement can end a stream in time.
const ctx = setupApp({ REALTIME_RECHECK_SECONDS: 60 })

let ana: Person
let bob: Person
let slugA: string
let slugB: string
let orgA: string

const person = (name: string) => signedUpPerson(ctx.origin, ctx.admin, name)

const streams: SseStream[] = []
async function streamOf(who: Person, slug: string) {
  const stream = await openSse(`${ctx.origin}/orgs/${slug}/events`, { cookie: who.cookie })
  streams.push(stream)
  expect(stream.status).toBe(200)
  return stream
}
afterAll(() => streams.forEach((stream) => stream.close()))

const changeOf = (table: string, id: string, op?: string) => (event: SseEvent) =>
  event.event === 'change' && event.data.table === table && event.data.id === id && (!op || event.data.op === op)
const mentions = (stream: SseStream, id: string) => stream.events.some((event) => event.data?.id === id)
/** A tick and a re-read, for "nothing arrived" checks. */
const settle = () => setTimeout(300)

const projectId = async (slug: string) =>
  (await ctx.admin.query(`select id from projects where organization_id = $1 and slug = $2`, [orgA, slug])).rows[0].id as string

async function newProject(name: string, slug: string) {
  const response = await ana.post(`/orgs/${slugA}/workspaces/general/projects/new`, { name, slug, description: '' })
  expect(response.status).toBe(302)
  return projectId(slug)
}

/** Someone Ana invited, who accepted (through the models, as the pages do), with `role`. */
async function joinedA(name: string, role: string) {
  const who = await person(name)
  const owner = { userId: ana.id, organizationId: orgA }
  const { token } = await createInvitation(owner, ['*'], { email: who.email, role })
  await acceptInvitation({ userId: who.id }, token)
  return { who, memberId: await membershipId(ctx.admin, orgA, who.id) }
}

beforeAll(async () => {
  ana = await person('Ana Alpha')
  bob = await person('Bob Beta')
  slugA = await createOrg(ana, 'Alpha Pages')
  slugB = await createOrg(bob, 'Beta Pages')
  orgA = (await ctx.admin.query('select id from organizations where slug = $1', [slugA])).rows[0].id as string
})

describe('changes made through the pages', () => {
  test('a new project reaches its organization’s members, naming who made it, and no one else', async () => {
    const anaStream = await streamOf(ana, slugA)
    const bobStream = await streamOf(bob, slugB)
    const id = await newProject('Q4 Launch', 'q4-launch')
    const event = await anaStream.next(changeOf('projects', id, 'insert'))
    expect(event.data).toMatchObject({ row: { name: 'Q4 Launch' }, projectId: id, actor: { id: ana.id, name: 'Ana Alpha' } })
    await settle()
    expect(mentions(bobStream, id)).toBe(false)
  })

  test('a project-scoped grant receives that project’s changes and nothing else in the workspace', async () => {
    const granted = await newProject('Granted', 'granted')
    const hidden = await newProject('Hidden', 'hidden')
    const owner = { userId: ana.id, organizationId: orgA }
    await createRole(owner, ['*'], { name: 'Nothing', permissions: ['organization:view'] })
    const nothing = (await ctx.admin.query(`select key from roles where organization_id = $1 and name = 'Nothing'`, [orgA])).rows[0].key
    const gina = await joinedA('Gina Grant', nothing)
    await addGrant(owner, ['*'], gina.memberId, { role: 'member', projectId: granted })

    const anaStream = await streamOf(ana, slugA)
    const ginaStream = await streamOf(gina.who, slugA)
    for (const [slug, name] of [
      ['hidden', 'Hidden 2'],
      ['granted', 'Granted 2'],
    ] as const) {
      const edited = await ana.post(`/orgs/${slugA}/workspaces/general/projects/${slug}/edit`, { name, slug, description: 'edited' })
      expect(edited.status).toBe(302)
    }
    const seen = await ginaStream.next(changeOf('projects', granted, 'update'))
    expect(seen.data.row).toMatchObject({ name: 'Granted 2' })
    await anaStream.next(changeOf('projects', hidden, 'update'))

    const deleted = await ana.post(`/orgs/${slugA}/workspaces/general/projects/hidden/delete`, {})
    expect(deleted.status).toBe(302)
    await anaStream.next(changeOf('projects', hidden, 'delete'))
    await settle()
    expect(mentions(ginaStream, hidden)).toBe(false)
    // Ana saw the audit rows of her edits and the other memberships; Gina, without audit:view or member:view, neither.
    expect(anaStream.events.some((e) => e.data?.table === 'audit_logs')).toBe(true)
    expect(ginaStream.events.some((e) => e.data?.table === 'audit_logs' || (e.data?.table === 'members' && e.data.id !== gina.memberId))).toBe(false)
  })

  test('a member removed through the members page: their stream ends at once, not at the next periodic check', async () => {
    const rita = await joinedA('Rita Removed', 'member')
    const stream = await streamOf(rita.who, slugA)
    const removedAt = Date.now()
    const removed = await ana.post(`/orgs/${slugA}/members/${rita.memberId}/remove`, {})
    expect(removed.status).toBe(302)
    await Promise.race([stream.ended, setTimeout(5000).then(() => Promise.reject(new Error('still open after 5 s')))])
    expect(Date.now() - removedAt).toBeLessThan(5000)
    expect(stream.events.at(-1)?.event).toBe('end')
  })
})
