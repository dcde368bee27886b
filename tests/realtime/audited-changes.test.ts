/**
 * Live updates from the audit trail (realtime.announce_audited), which
 * announces the app's changes on Citus, where the tables' own triggers would
 * fire on the workers. Every write the models make to a table with live
 * updates runs here, each with the changes it must announce. On a single
 * server the tables' triggers must announce exactly those, and so must the
 * audit trail's trigger (put on a channel of its own for the comparison);
 * on Citus (`npm run test:citus`) the app's channel, which only the audit
 * trail's trigger feeds there, must announce exactly those.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { recordDenial, recordError } from '~/models/audit.server'
import { CHANGES_CHANNEL, parseChange, type Change } from '~/models/changes.server'
import { addGrant, removeGrant } from '~/models/grant.server'
import { acceptInvitation, createInvitation, resendInvitation, revokeInvitation } from '~/models/invitation.server'
import { changeMemberRole, removeMember, setMemberStatus, transferOwnership } from '~/models/member.server'
import { updateOrganization } from '~/models/organization.server'
import { createProject, deleteProject, setProjectStatus, updateProject } from '~/models/project.server'
import { createRole, deleteRole, updateRole } from '~/models/role.server'
import { createUser } from '~/models/user.server'
import { createWorkspace, deleteWorkspace, makeDefaultWorkspace, updateWorkspace } from '~/models/workspace.server'
import { uniqueEmail } from '../utils/app'
import { adminClient } from '../utils/db'
import { setupDatabase } from '../utils/fixture'
import { createTenant, membershipId } from '../utils/tenants'

const ctx = setupDatabase()
const AUDITED_CHANNEL = 'nextsaas_changes_audited'
const OWNER = ['*']

/** What a change announces, in a form to compare: everything but the event id. */
type Expected = [table: Change['table'], op: Change['op'], row: string, ws?: string, project?: string]

let listener: pg.Client
let onCitus = false
const heard = new Map<string, string[]>()
/** A marker's arrival, by channel and marker (drained()). */
const markers = new Map<string, () => void>()
let markerCount = 0

beforeAll(async () => {
  onCitus = Boolean((await ctx.admin.query(`select 1 from pg_extension where extname = 'citus'`)).rowCount)
  // On a single server the audit trail's announcements go to a channel of their own, beside the tables' triggers.
  if (!onCitus) {
    await ctx.admin.query(`create trigger audit_logs_announce_changes_compared after insert on audit_logs
      for each row execute function realtime.announce_audited('${AUDITED_CHANNEL}')`)
  }
  listener = await adminClient()
  listener.on('notification', ({ channel, payload = '' }) => {
    if (payload.startsWith('marker ')) markers.get(`${channel} ${payload}`)?.()
    else heard.get(channel)?.push(payload)
  })
  for (const channel of [CHANGES_CHANNEL, AUDITED_CHANNEL]) {
    heard.set(channel, [])
    await listener.query(`listen ${channel}`)
  }
})
afterAll(async () => {
  await listener.end()
  if (!onCitus) await ctx.admin.query(`drop trigger audit_logs_announce_changes_compared on audit_logs`)
})

/**
 * Returns once every channel has delivered what was committed before the
 * call: notifications arrive in commit order, so a marker sent now comes
 * after them. No waiting on a clock, which a slow machine could outrun.
 */
async function drained() {
  const marker = `marker ${++markerCount}`
  const channels = [...heard.keys()]
  const arrived = channels.map((channel) => new Promise<void>((resolve) => markers.set(`${channel} ${marker}`, resolve)))
  for (const channel of channels) await ctx.admin.query('select pg_notify($1, $2)', [channel, marker])
  await Promise.all(arrived)
}

/** The changes of `org` heard on `channel` while `work` ran, as sortable lines; the audit log's own rows left out. */
function changesOf(channel: string, org: string, actor: string) {
  return heard
    .get(channel)!
    .splice(0)
    .map((payload) => parseChange(payload))
    .filter((change): change is Change => change !== null && change.org === org && change.table !== 'audit_logs')
    .map((change) => {
      expect(change.actor).toBe(actor)
      return [change.table, change.op, change.row, change.ws, change.project].filter(Boolean).join(' ')
    })
    .sort()
}

/** Runs one model call and checks that each announcing path announced what `expected` says (given its result, once it ran), and nothing more. */
async function announces<T>(
  org: string,
  actor: string,
  work: () => Promise<T>,
  expected: (result: T) => Expected[] | Promise<Expected[]>,
): Promise<T> {
  await drained()
  for (const payloads of heard.values()) payloads.length = 0
  const result = await work()
  await drained()
  const want = (await expected(result)).map((change) => change.filter(Boolean).join(' ')).sort()
  const channels = onCitus ? [CHANGES_CHANNEL] : [CHANGES_CHANNEL, AUDITED_CHANNEL]
  for (const channel of channels) expect(changesOf(channel, org, actor), channel).toEqual(want)
  return result
}

async function invitee(email: string) {
  return createUser({ email, name: 'Invitee', passwordHash: 'not used to sign in' }, {})
}

const membershipOf = (org: string, userId: string) => membershipId(ctx.admin, org, userId)

describe('the audit trail announces what the app changed', () => {
  test('every model write to a table with live updates, as the tables’ triggers announce it', async () => {
    const { org, user, actor, workspaceId: general } = await createTenant('Audited')
    const on = <T>(who: string, work: () => Promise<T>, expected: (result: T) => Expected[] | Promise<Expected[]>) =>
      announces(org.id, who, work, expected)
    const byOwner = <T>(work: () => Promise<T>, expected: (result: T) => Expected[]) => on(user.id, work, expected)

    // Workspaces: created, edited, made the default (the previous default changes too).
    const launch = await byOwner(
      () => createWorkspace(actor, { name: 'Launch', slug: 'launch', description: '' }),
      (ws) => [['workspaces', 'insert', ws.id, ws.id]],
    )
    await byOwner(
      () => updateWorkspace(actor, launch.id, { name: 'Launch 2', slug: 'launch', description: 'edited' }),
      () => [['workspaces', 'update', launch.id, launch.id]],
    )
    await byOwner(
      () => makeDefaultWorkspace(actor, launch.id),
      () => [
        ['workspaces', 'update', general, general],
        ['workspaces', 'update', launch.id, launch.id],
      ],
    )

    // Projects: created, edited, archived, deleted.
    const rocket = await byOwner(
      () => createProject(actor, launch.id, { name: 'Rocket', slug: 'rocket', description: '' }),
      (project) => [['projects', 'insert', project.id, launch.id, project.id]],
    )
    const probe = await byOwner(
      () => createProject(actor, launch.id, { name: 'Probe', slug: 'probe', description: '' }),
      (project) => [['projects', 'insert', project.id, launch.id, project.id]],
    )
    await byOwner(
      () => updateProject(actor, rocket.id, { name: 'Rocket 2', slug: 'rocket', description: 'edited' }),
      () => [['projects', 'update', rocket.id, launch.id, rocket.id]],
    )
    await byOwner(
      () => setProjectStatus(actor, rocket.id, 'archived'),
      () => [['projects', 'update', rocket.id, launch.id, rocket.id]],
    )
    await byOwner(
      () => deleteProject(actor, probe.id),
      () => [['projects', 'delete', probe.id, launch.id, probe.id]],
    )
    // A refused or failed action's audit row changed nothing, and announces nothing.
    for (const record of [recordDenial, recordError]) {
      await byOwner(
        () => record(actor, { action: 'project.deleted', resourceType: 'project', resourceId: rocket.id, details: { workspaceId: launch.id } }),
        () => [],
      )
    }

    // Roles: created and edited.
    const reviewer = await byOwner(
      () => createRole(actor, OWNER, { name: 'Reviewer', description: '', permissions: ['project:view'] }),
      (role) => [['roles', 'insert', role.id]],
    )
    await byOwner(
      () => updateRole(actor, OWNER, reviewer.id, { name: 'Reviewer 2', description: 'edited', permissions: ['project:view', 'workspace:view'] }),
      () => [['roles', 'update', reviewer.id]],
    )

    // Invitations: created, resent, revoked, replaced once expired; two accepted (a member joins).
    const revoked = await byOwner(
      () => createInvitation(actor, OWNER, { email: uniqueEmail('revoked'), role: 'member' }),
      (invitation) => [['invitations', 'insert', invitation.id]],
    )
    await byOwner(
      () => resendInvitation(actor, revoked.id),
      () => [['invitations', 'update', revoked.id]],
    )
    await byOwner(
      () => revokeInvitation(actor, revoked.id),
      () => [['invitations', 'update', revoked.id]],
    )
    const lapsedEmail = uniqueEmail('lapsed')
    const lapsed = await byOwner(
      () => createInvitation(actor, OWNER, { email: lapsedEmail, role: 'member' }),
      (invitation) => [['invitations', 'insert', invitation.id]],
    )
    await ctx.admin.query(`update invitations set expires_at = now() - interval '1 day' where id = $1`, [lapsed.id])
    await byOwner(
      () => createInvitation(actor, OWNER, { email: lapsedEmail, role: 'member' }),
      (invitation) => [
        ['invitations', 'update', lapsed.id],
        ['invitations', 'insert', invitation.id],
      ],
    )
    const joined: string[] = []
    const accepted: string[] = []
    for (const label of ['heir', 'leaver']) {
      const email = uniqueEmail(label)
      const invitation = await byOwner(
        () => createInvitation(actor, OWNER, { email, role: reviewer.key }),
        (created) => [['invitations', 'insert', created.id]],
      )
      const account = await invitee(email)
      await on(
        account.id,
        () => acceptInvitation({ userId: account.id }, invitation.token),
        async (): Promise<Expected[]> => [
          ['members', 'insert', await membershipOf(org.id, account.id)],
          ['invitations', 'update', invitation.id],
        ],
      )
      joined.push(await membershipOf(org.id, account.id))
      accepted.push(invitation.id)
    }
    const [heir, leaver] = joined as [string, string]

    // Members: role changed, suspended and back, a grant given and taken (role_grants announce nothing), removed.
    await byOwner(
      () => changeMemberRole(actor, OWNER, leaver, 'member'),
      () => [['members', 'update', leaver]],
    )
    await byOwner(
      () => setMemberStatus(actor, OWNER, leaver, 'suspended'),
      () => [['members', 'update', leaver]],
    )
    await byOwner(
      () => setMemberStatus(actor, OWNER, leaver, 'active'),
      () => [['members', 'update', leaver]],
    )
    const grant = await byOwner(
      () => addGrant(actor, OWNER, leaver, { role: 'admin', projectId: rocket.id }),
      () => [],
    )
    await byOwner(
      () => removeGrant(actor, OWNER, leaver, grant),
      () => [],
    )
    await byOwner(
      () => removeMember(actor, OWNER, leaver),
      () => [['members', 'delete', leaver]],
    )

    // A role deleted while someone holds it: they get the replacement; the invitations that offered it go.
    await byOwner(
      () => deleteRole(actor, OWNER, reviewer.id, 'member'),
      () => [['members', 'update', heir], ...accepted.map((id): Expected => ['invitations', 'delete', id]), ['roles', 'delete', reviewer.id]],
    )

    // The organization's own settings are not a table with live updates.
    await byOwner(
      () => updateOrganization(actor, { name: 'Audited Org 2', slug: org.slug }),
      () => [],
    )

    // The default workspace deleted with its project: the oldest left becomes the default.
    await byOwner(
      () => deleteWorkspace(actor, launch.id),
      () => [
        ['projects', 'delete', rocket.id, launch.id, rocket.id],
        ['workspaces', 'delete', launch.id, launch.id],
        ['workspaces', 'update', general, general],
      ],
    )
    // Refused: the last workspace stays, and nothing is announced.
    await byOwner(
      () => deleteWorkspace(actor, general).catch((error: Error) => error.message),
      () => [],
    )

    // Ownership handed over: the heir and the previous owner both change.
    const owner = await membershipOf(org.id, user.id)
    await byOwner(
      () => transferOwnership(actor, heir),
      () => [
        ['members', 'update', heir],
        ['members', 'update', owner],
      ],
    )
  })

  test('a deleter who cannot see what goes with a workspace or a role still announces all of it', async () => {
    const { org, actor } = await createTenant('Janitorial')
    const janitorPermissions = ['organization:view', 'workspace:view', 'workspace:delete', 'role:view', 'role:manage']
    const janitorRole = await createRole(actor, OWNER, { name: 'Janitor', permissions: janitorPermissions })
    const email = uniqueEmail('janitor')
    const { token } = await createInvitation(actor, OWNER, { email, role: janitorRole.key })
    const janitor = await invitee(email)
    await acceptInvitation({ userId: janitor.id }, token)
    const attic = await createWorkspace(actor, { name: 'Attic', slug: 'attic', description: '' })
    const unseen = await createProject(actor, attic.id, { name: 'Unseen', slug: 'unseen', description: '' })
    const temporary = await createRole(actor, OWNER, { name: 'Temporary', permissions: ['organization:view'] })
    const offer = await createInvitation(actor, OWNER, { email: uniqueEmail('offered'), role: temporary.key })

    const asJanitor = { userId: janitor.id, organizationId: org.id }
    await announces(
      org.id,
      janitor.id,
      () => deleteRole(asJanitor, janitorPermissions, temporary.id),
      () => [
        ['invitations', 'delete', offer.id],
        ['roles', 'delete', temporary.id],
      ],
    )
    await announces(
      org.id,
      janitor.id,
      () => deleteWorkspace(asJanitor, attic.id),
      () => [
        ['projects', 'delete', unseen.id, attic.id, unseen.id],
        ['workspaces', 'delete', attic.id, attic.id],
      ],
    )
  })
})
