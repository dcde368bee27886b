/**
 * Roles, members and invitations through the pages, with attempts to escalate,
 * to leave an organization ownerless and to replay invitations.
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, test } from 'vitest'
import { breadth, CATALOG, permitsAt } from '~/lib/permissions'
import { devMailboxMessages } from '~/mail/mailer.server'
import { sql, withTenant } from '~/models/db.server'
import { changeMemberRole, setMemberStatus } from '~/models/member.server'
import { Client, createOrg, PASSWORD, signedUpClient, uniqueEmail } from '../utils/app'
import { setupApp } from '../utils/fixture'
import { addMember } from '../utils/tenants'

const ctx = setupApp()
let owner: Client & { email: string }
let orgAdmin: Client & { email: string }
let member: Client & { email: string }
let slug: string
let orgId: string

const one = async (text: string, values: unknown[] = []) => (await ctx.admin.query(text, values)).rows[0]
const userId = async (email: string) => (await one('select id from auth.users where email = $1', [email])).id as string
const memberId = async (email: string) =>
  (
    await one('select m.id from organization_members m join auth.users u on u.id = m.user_id where u.email = $1 and m.organization_id = $2', [
      email,
      orgId,
    ])
  ).id as string

beforeAll(async () => {
  owner = await signedUpClient(ctx.origin, 'Owen Owner')
  orgAdmin = await signedUpClient(ctx.origin, 'Ada Admin')
  member = await signedUpClient(ctx.origin, 'Max Member')
  slug = await createOrg(owner, 'Members Test Org')
  orgId = (await one('select id from organizations where slug = $1', [slug])).id
  await addMember(ctx.admin, orgId, await userId(orgAdmin.email), 'admin')
  await addMember(ctx.admin, orgId, await userId(member.email), 'member')
})

describe('custom roles', () => {
  test('an admin creates a custom role from the checklist; it is audited', async () => {
    const body = new URLSearchParams([
      ['name', 'Editor'],
      ['description', 'Edits projects'],
      ['permissions', 'project:update'],
      ['permissions', 'workspace:view'],
    ])
    const response = await orgAdmin.request(`/orgs/${slug}/roles/new`, { method: 'POST', body })
    expect(response.status).toBe(302)
    const role = await one(`select key, permissions, is_builtin from roles where organization_id = $1 and name = 'Editor'`, [orgId])
    expect(role).toMatchObject({ permissions: ['project:update', 'workspace:view'], is_builtin: false })
    expect(await one(`select count(*)::int as n from audit_logs where organization_id = $1 and action = 'role.created'`, [orgId])).toEqual({ n: 1 })
  })

  test('nobody creates a role above their own permissions', async () => {
    for (const permission of ['*', 'organization:delete']) {
      const body = new URLSearchParams([
        ['name', `Escalated ${permission}`],
        ['permissions', permission],
      ])
      const response = await orgAdmin.request(`/orgs/${slug}/roles/new`, { method: 'POST', body })
      expect(response.status).toBe(403)
      expect(await response.text()).toContain('You cannot grant permissions you do not hold')
    }
    expect(await one(`select count(*)::int as n from roles where organization_id = $1 and name like 'Escalated%'`, [orgId])).toEqual({ n: 0 })
  })

  test('a role that creates must see what it creates (the new row would be hidden from its creator)', async () => {
    const body = new URLSearchParams([
      ['name', 'Blind Creator'],
      ['permissions', 'project:create'],
      ['permissions', 'workspace:view'],
    ])
    const response = await orgAdmin.request(`/orgs/${slug}/roles/new`, { method: 'POST', body })
    expect(response.status).toBe(422)
    const html = await response.text()
    expect(html).toContain('Whoever creates must also see what they create: add View projects')
    expect(html).toContain('value="Blind Creator"')
    expect(await one(`select count(*)::int as n from roles where organization_id = $1 and name = 'Blind Creator'`, [orgId])).toEqual({ n: 0 })
  })

  test('the database refuses the same escalation when route code is bypassed', async () => {
    const actor = { userId: await userId(orgAdmin.email), organizationId: orgId }
    await expect(
      withTenant(actor, (tx) =>
        tx.query(sql.unsafe`insert into roles (organization_id, key, name, permissions) values (${orgId}, 'god', 'God', '{*}')`),
      ),
    ).rejects.toThrow(/row-level security/)
  })

  test('members cannot manage roles; built-in roles cannot be edited', async () => {
    expect((await member.get(`/orgs/${slug}/roles/new`)).status).toBe(403)
    const builtin = await one(`select id from roles where organization_id = $1 and key = 'member'`, [orgId])
    expect((await owner.get(`/orgs/${slug}/roles/${builtin.id}`)).status).toBe(404)
  })

  test('a held role is deleted only with a replacement, in the same step', async () => {
    const body = new URLSearchParams([
      ['name', 'Temp'],
      ['permissions', 'project:view'],
    ])
    await owner.request(`/orgs/${slug}/roles/new`, { method: 'POST', body })
    const temp = await one(`select id, key from roles where organization_id = $1 and name = 'Temp'`, [orgId])
    const holder = await signedUpClient(ctx.origin, 'Holder')
    await addMember(ctx.admin, orgId, await userId(holder.email), temp.key)
    const refused = await owner.post(`/orgs/${slug}/roles/${temp.id}`, { intent: 'delete' })
    expect(refused.status).toBe(409)
    expect(await refused.text()).toContain('People still hold this role')
    expect((await owner.post(`/orgs/${slug}/roles/${temp.id}`, { intent: 'delete', reassignTo: 'member' })).status).toBe(302)
    expect(
      await one(`select role from organization_members where organization_id = $1 and user_id = $2`, [orgId, await userId(holder.email)]),
    ).toEqual({ role: 'member' })
  })

  test('the replacement role must exist, differ and stay within the deleter’s permissions', async () => {
    await orgAdmin.request(`/orgs/${slug}/roles/new`, {
      method: 'POST',
      body: new URLSearchParams([
        ['name', 'Doomed'],
        ['permissions', 'project:view'],
      ]),
    })
    const doomed = await one(`select id, key from roles where organization_id = $1 and name = 'Doomed'`, [orgId])
    const holder = await signedUpClient(ctx.origin, 'Doomed Holder')
    await addMember(ctx.admin, orgId, await userId(holder.email), doomed.key)
    const attempts: [string, number, string][] = [
      ['owner', 403, 'You cannot give a role with permissions you do not hold'],
      ['made-up-role', 422, 'Choose one of the organization’s roles'],
      [doomed.key, 422, 'Choose another role for the people who hold this one'],
    ]
    for (const [reassignTo, status, message] of attempts) {
      const response = await orgAdmin.post(`/orgs/${slug}/roles/${doomed.id}`, { intent: 'delete', reassignTo })
      expect(response.status, reassignTo).toBe(status)
      expect(await response.text()).toContain(message)
    }
    expect(await one(`select count(*)::int as n from roles where organization_id = $1 and id = $2`, [orgId, doomed.id])).toEqual({ n: 1 })
    expect(
      await one(`select role from organization_members where organization_id = $1 and user_id = $2`, [orgId, await userId(holder.email)]),
    ).toEqual({ role: doomed.key })
  })
})

describe('member lifecycle', () => {
  test('an admin changes a member’s role; the member sees the UI change', async () => {
    const target = await signedUpClient(ctx.origin, 'Promoted')
    await addMember(ctx.admin, orgId, await userId(target.email), 'member')
    expect(await (await target.get(`/orgs/${slug}`)).text()).not.toContain('New workspace')
    const response = await orgAdmin.post(`/orgs/${slug}/members/${await memberId(target.email)}`, { intent: 'role', role: 'admin' })
    expect(response.status).toBe(302)
    expect(await (await target.get(`/orgs/${slug}`)).text()).toContain('New workspace')
  })

  test('nobody changes their own role', async () => {
    const response = await orgAdmin.post(`/orgs/${slug}/members/${await memberId(orgAdmin.email)}`, { intent: 'role', role: 'owner' })
    expect(response.status).toBe(403)
    expect(await one(`select role from organization_members where id = $1`, [await memberId(orgAdmin.email)])).toEqual({ role: 'admin' })
  })

  test('an admin can neither make an owner nor touch one', async () => {
    const promote = await orgAdmin.post(`/orgs/${slug}/members/${await memberId(member.email)}`, { intent: 'role', role: 'owner' })
    expect(promote.status).toBe(403)
    const suspendOwner = await orgAdmin.post(`/orgs/${slug}/members/${await memberId(owner.email)}`, { intent: 'suspend' })
    expect(suspendOwner.status).toBe(403)
    expect(await one(`select status from organization_members where id = $1`, [await memberId(owner.email)])).toEqual({ status: 'active' })
  })

  test('a suspended member is locked out on their very next request, and back when reactivated', async () => {
    const target = await signedUpClient(ctx.origin, 'Suspendee')
    await addMember(ctx.admin, orgId, await userId(target.email), 'member')
    expect((await target.get(`/orgs/${slug}`)).status).toBe(200)
    const id = await memberId(target.email)
    expect((await orgAdmin.post(`/orgs/${slug}/members/${id}`, { intent: 'suspend' })).status).toBe(302)
    expect((await target.get(`/orgs/${slug}`)).status).toBe(404)
    expect((await orgAdmin.post(`/orgs/${slug}/members/${id}`, { intent: 'reactivate' })).status).toBe(302)
    expect((await target.get(`/orgs/${slug}`)).status).toBe(200)
  })

  test('removal asks for confirmation and takes effect at once', async () => {
    const target = await signedUpClient(ctx.origin, 'Removee')
    await addMember(ctx.admin, orgId, await userId(target.email), 'member')
    const id = await memberId(target.email)
    expect(await (await orgAdmin.get(`/orgs/${slug}/members/${id}/remove`)).text()).toContain('Removee')
    expect((await orgAdmin.post(`/orgs/${slug}/members/${id}/remove`, {})).status).toBe(302)
    expect((await target.get(`/orgs/${slug}`)).status).toBe(404)
    expect(
      await one(`select count(*)::int as n from audit_logs where organization_id = $1 and action = 'member.removed' and resource_id = $2`, [
        orgId,
        id,
      ]),
    ).toEqual({ n: 1 })
  })

  test('the organization always keeps an active owner', async () => {
    await expect(
      ctx.admin.query(`update organization_members set status = 'suspended' where organization_id = $1 and role = 'owner'`, [orgId]),
    ).rejects.toThrow(/last_owner/)
    await expect(ctx.admin.query(`delete from organization_members where organization_id = $1 and role = 'owner'`, [orgId])).rejects.toThrow(
      /last_owner/,
    )
  })

  test('ownership transfers only from an owner who types the organization name', async () => {
    const solo = await signedUpClient(ctx.origin, 'Solo')
    const soloSlug = await createOrg(solo, 'Transfer Org')
    const soloOrg = (await one('select id from organizations where slug = $1', [soloSlug])).id
    const heir = await signedUpClient(ctx.origin, 'Heir')
    await addMember(ctx.admin, soloOrg, await userId(heir.email), 'admin')
    const heirMember = (
      await one('select id from organization_members where organization_id = $1 and user_id = $2', [soloOrg, await userId(heir.email)])
    ).id
    const page = `/orgs/${soloSlug}/members/${heirMember}`
    expect((await solo.post(page, { intent: 'transfer' })).status).toBe(422)
    const mistyped = await solo.post(page, { intent: 'transfer', confirm: 'transfer org' })
    expect(mistyped.status).toBe(422)
    const html = await mistyped.text()
    expect(html).toContain('Type “Transfer Org” exactly to confirm')
    expect(html).toContain('value="transfer org"')
    expect((await one('select role from organization_members where id = $1', [heirMember])).role).toBe('admin')
    // The heir, an admin, cannot take it either: handing over is an owner's.
    expect((await heir.post(`/orgs/${soloSlug}/members/${heirMember}`, { intent: 'transfer', confirm: 'Transfer Org' })).status).toBe(403)
    expect((await solo.post(page, { intent: 'transfer', confirm: 'Transfer Org' })).status).toBe(302)
    const roles = await ctx.admin.query(
      `select u.name, m.role from organization_members m join auth.users u on u.id = m.user_id where m.organization_id = $1 order by u.name`,
      [soloOrg],
    )
    expect(roles.rows).toEqual([
      { name: 'Heir', role: 'owner' },
      { name: 'Solo', role: 'admin' },
    ])
  })

  test('the member page traces each permission to its source', async () => {
    const html = await (await owner.get(`/orgs/${slug}/members/${await memberId(member.email)}`)).text()
    expect(html).toContain('Effective permissions')
    expect(html).toContain('Member role (organization-wide)')
    expect(html).not.toContain('workspace:update')
  })
})

describe('what the database refuses is not audited as done', () => {
  test('a role change or suspension RLS filters out fails, and leaves no audit row', async () => {
    // A plain member, presented to the model as if they held everything: only RLS stands in the way.
    const actor = { userId: await userId(member.email), organizationId: orgId, role: 'member' }
    const target = await memberId(orgAdmin.email)
    await expect(changeMemberRole(actor, ['*'], target, 'member')).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(setMemberStatus(actor, ['*'], target, 'suspended')).rejects.toMatchObject({ code: 'FORBIDDEN' })
    const audited = await one(
      `select count(*)::int as n from audit_logs where organization_id = $1 and user_id = $2 and action in ('member.role_changed', 'member.suspended')`,
      [orgId, actor.userId],
    )
    expect(audited.n).toBe(0)
    expect(await one('select role, status from organization_members where id = $1', [target])).toEqual({ role: 'admin', status: 'active' })
  })
})

describe('scoped grants', () => {
  test('admin of one workspace edits it, and only it, also at the database level', async () => {
    const designer = await signedUpClient(ctx.origin, 'Dee Designer')
    await addMember(ctx.admin, orgId, await userId(designer.email), 'member')
    await owner.post(`/orgs/${slug}/workspaces/new`, { name: 'Design' })
    await owner.post(`/orgs/${slug}/workspaces/new`, { name: 'Sales' })
    const design = (await one(`select id from workspaces where organization_id = $1 and slug = 'design'`, [orgId])).id
    expect((await designer.post(`/orgs/${slug}/workspaces/design/edit`, { name: 'Design 2', slug: 'design' })).status).toBe(403)

    const grant = await owner.post(`/orgs/${slug}/members/${await memberId(designer.email)}`, {
      intent: 'add-grant',
      role: 'admin',
      target: `workspace:${design}`,
    })
    expect(grant.status).toBe(302)
    expect((await designer.post(`/orgs/${slug}/workspaces/design/edit`, { name: 'Design 2', slug: 'design' })).status).toBe(302)
    expect((await designer.post(`/orgs/${slug}/workspaces/sales/edit`, { name: 'Sales 2', slug: 'sales' })).status).toBe(403)

    const actor = { userId: await userId(designer.email), organizationId: orgId }
    const touched = await withTenant(actor, (tx) => tx.query(sql.unsafe`update workspaces set description = 'x' where organization_id = ${orgId}`))
    expect(touched.rowCount).toBe(1)
    const html = await (await owner.get(`/orgs/${slug}/members/${await memberId(designer.email)}`)).text()
    expect(html).toContain('Admin role on workspace “Design 2”')
  })

  test('the grant form offers the narrowest role first, and keeps the choice when a grant is refused', async () => {
    const page = `/orgs/${slug}/members/${await memberId(member.email)}`
    await ctx.admin.query(`insert into roles (organization_id, key, name, permissions) values ($1, 'looker', 'Looker', '{project:view}')`, [orgId])
    const form = await (await owner.get(page)).text()
    const chosen = form.slice(form.indexOf('id="add-grant-role"')).match(/<option value="([^"]+)" selected="">/)![1]
    const { rows } = await ctx.admin.query('select key, permissions from roles where organization_id = $1', [orgId])
    const widths = new Map(rows.map((r: { key: string; permissions: string[] }) => [r.key, breadth(r.permissions)]))
    expect(widths.get(chosen!)).toBe(Math.min(...widths.values()))
    expect(widths.get(chosen!)).toBeLessThan(widths.get('member')!)
    const grants = async () => (await one(`select count(*)::int as n from role_grants where organization_id = $1`, [orgId])).n
    const before = await grants()
    const refused = await owner.post(page, { intent: 'add-grant', role: 'admin', target: 'workspace:nothing' })
    expect(refused.status).toBe(422)
    const html = await refused.text()
    expect(html).toContain('Choose a workspace or project')
    expect(html).toMatch(/<option value="admin" selected="">/)
    expect(await grants()).toBe(before)
  })

  test('a grant target shaped like a UUID but not one is a field error, not a database error', async () => {
    const page = `/orgs/${slug}/members/${await memberId(member.email)}`
    const general = (await one(`select id from workspaces where organization_id = $1 and slug = 'general'`, [orgId])).id
    for (const target of [`workspace:${'-'.repeat(36)}`, `project:${'f'.repeat(36)}`, `workspace:${general}:extra`, `team:${general}`]) {
      const response = await owner.post(page, { intent: 'add-grant', role: 'member', target })
      expect(response.status, target).toBe(422)
      expect(await response.text()).toContain('Choose a workspace or project')
    }
  })

  test('SQL auth.has_permission() and the TypeScript rule agree on random roles and grants', async () => {
    const subject = await signedUpClient(ctx.origin, 'Random')
    const subjectId = await userId(subject.email)
    await ctx.admin.query(
      `insert into roles (organization_id, key, name, permissions) values ($1, 'rnd-org', 'Rnd Org', '{}'), ($1, 'rnd-grant', 'Rnd Grant', '{}')`,
      [orgId],
    )
    await addMember(ctx.admin, orgId, subjectId, 'rnd-org')
    const ws = (await one(`select id from workspaces where organization_id = $1 and slug = 'general'`, [orgId])).id
    const other = (await one(`select id from workspaces where organization_id = $1 and slug = 'sales'`, [orgId])).id
    await ctx.admin.query(`insert into role_grants (organization_id, member_id, role, workspace_id) values ($1, $2, 'rnd-grant', $3)`, [
      orgId,
      await memberId(subject.email),
      ws,
    ])

    const perms = fc.uniqueArray(fc.constantFrom(...CATALOG), { maxLength: 5 })
    const cases = fc.sample(fc.record({ org: perms, grant: perms, required: fc.constantFrom(...CATALOG), at: fc.constantFrom(ws, other) }), {
      numRuns: 60,
      seed: 4,
    })
    for (const c of cases) {
      await ctx.admin.query(`update roles set permissions = $2 where organization_id = $1 and key = 'rnd-org'`, [orgId, c.org])
      await ctx.admin.query(`update roles set permissions = $2 where organization_id = $1 and key = 'rnd-grant'`, [orgId, c.grant])
      const fromSql = await withTenant({ userId: subjectId }, (tx) =>
        tx.oneFirst(sql.unsafe`select auth.has_permission(${orgId}, ${c.required}, ${c.at}, null)`),
      )
      const fromTs = permitsAt(c.org, [{ workspaceId: ws, projectId: null, permissions: c.grant }], c.required, { workspaceId: c.at })
      expect(fromSql, JSON.stringify(c)).toBe(fromTs)
    }
  })
})

describe('invitations', () => {
  const linkFor = (email: string) => {
    const message = devMailboxMessages().find((m) => m.to === email)
    const path = message?.text.match(/\/invitations\/[A-Za-z0-9_-]+/)?.[0]
    if (!path) throw new Error(`no invitation mailed to ${email}`)
    return path
  }

  test('a new user follows the mailed link, signs up and lands in the organization', async () => {
    const email = uniqueEmail('invitee')
    const response = await orgAdmin.post(`/orgs/${slug}/members/invite`, { email, role: 'member' })
    expect(response.status).toBe(302)
    const link = linkFor(email)

    const visitor = new Client(ctx.origin)
    const page = await (await visitor.get(link)).text()
    expect(page).toContain('Join Members Test Org')
    expect(page).toContain('Ada Admin')
    const signup = await visitor.post('/signup', { name: 'New Person', email, password: PASSWORD, redirectTo: link })
    expect(signup.headers.get('location')).toBe(link)
    const accept = await visitor.post(link, {})
    expect(accept.status).toBe(302)
    expect(accept.headers.get('location')).toBe(`/orgs/${slug}`)
    expect((await visitor.get(`/orgs/${slug}`)).status).toBe(200)

    const replay = await visitor.post(link, {})
    expect(replay.status).toBe(409)
    expect(await (await visitor.get(link)).text()).toContain('This invitation has already been used.')
  })

  test('the token is stored only as a hash', async () => {
    const email = uniqueEmail('hashed')
    await owner.post(`/orgs/${slug}/members/invite`, { email, role: 'member' })
    const token = linkFor(email).split('/').pop()!
    const row = await one(`select * from invitations where organization_id = $1 and email = $2`, [orgId, email])
    expect(JSON.stringify(row)).not.toContain(token)
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/)
  })

  test('expired and revoked invitations get a clear page and cannot be accepted', async () => {
    const expiredEmail = uniqueEmail('expired')
    await owner.post(`/orgs/${slug}/members/invite`, { email: expiredEmail, role: 'member' })
    await ctx.admin.query(`update invitations set expires_at = now() - interval '1 minute' where email = $1`, [expiredEmail])
    const late = await signedUpClient(ctx.origin, 'Late')
    expect(await (await late.get(linkFor(expiredEmail))).text()).toContain('This invitation has expired')
    expect((await late.post(linkFor(expiredEmail), {})).status).toBe(409)

    const revokedEmail = uniqueEmail('revoked')
    await owner.post(`/orgs/${slug}/members/invite`, { email: revokedEmail, role: 'member' })
    const invitation = await one(`select id from invitations where email = $1`, [revokedEmail])
    expect((await owner.post(`/orgs/${slug}/members?index`, { intent: 'revoke', invitationId: invitation.id })).status).toBe(302)
    expect(await (await late.get(linkFor(revokedEmail))).text()).toContain('This invitation was revoked.')
    expect((await new Client(ctx.origin).get('/invitations/not-a-real-token-at-all-xyz')).status).toBe(404)
  })

  test('an unverified account cannot accept an invitation addressed to someone else', async () => {
    const email = uniqueEmail('addressed')
    await owner.post(`/orgs/${slug}/members/invite`, { email, role: 'member' })
    const stranger = await signedUpClient(ctx.origin, 'Stranger')
    const response = await stranger.post(linkFor(email), {})
    expect(response.status).toBe(409)
    expect(await response.text()).toContain('sent to another address')
  })

  test('one pending invitation per email; invalid, forbidden and escalating invitations are refused', async () => {
    const email = uniqueEmail('twice')
    await owner.post(`/orgs/${slug}/members/invite`, { email, role: 'member' })
    const again = await owner.post(`/orgs/${slug}/members/invite`, { email, role: 'member' })
    expect(again.status).toBe(409)
    expect(await again.text()).toContain('already has a pending invitation')
    expect((await owner.post(`/orgs/${slug}/members/invite`, { email: 'nope', role: 'member' })).status).toBe(422)
    expect((await member.post(`/orgs/${slug}/members/invite`, { email: uniqueEmail(), role: 'member' })).status).toBe(403)
    const escalate = await orgAdmin.post(`/orgs/${slug}/members/invite`, { email: uniqueEmail(), role: 'owner' })
    expect(escalate.status).toBe(403)
    expect(await escalate.text()).toContain('permissions you do not hold')
  })

  test('revoking or resending an invitation that is no longer pending answers 404 on a working page', async () => {
    const email = uniqueEmail('double-click')
    await owner.post(`/orgs/${slug}/members/invite`, { email, role: 'member' })
    const invitation = await one(`select id from invitations where email = $1`, [email])
    expect((await owner.post(`/orgs/${slug}/members?index`, { intent: 'revoke', invitationId: invitation.id })).status).toBe(302)
    for (const intent of ['revoke', 'resend']) {
      const again = await owner.post(`/orgs/${slug}/members?index`, { intent, invitationId: invitation.id })
      expect(again.status, intent).toBe(404)
      const html = await again.text()
      expect(html).toContain('This invitation is no longer pending')
      expect(html).toContain('Owen Owner')
    }
    expect(
      await one(`select count(*)::int as n from audit_logs where organization_id = $1 and resource_id = $2 and action like 'invitation.re%'`, [
        orgId,
        invitation.id,
      ]),
    ).toEqual({ n: 1 })
  })

  test('resending replaces the link: the old one stops working', async () => {
    const email = uniqueEmail('resend')
    await owner.post(`/orgs/${slug}/members/invite`, { email, role: 'member' })
    const first = linkFor(email)
    const invitation = await one(`select id from invitations where email = $1`, [email])
    await owner.post(`/orgs/${slug}/members?index`, { intent: 'resend', invitationId: invitation.id })
    const second = devMailboxMessages()
      .find((m) => m.to === email)!
      .text.match(/\/invitations\/[A-Za-z0-9_-]+/)![0]
    expect(second).not.toBe(first)
    expect((await new Client(ctx.origin).get(first)).status).toBe(404)
    expect((await new Client(ctx.origin).get(second)).status).toBe(200)
  })
})
