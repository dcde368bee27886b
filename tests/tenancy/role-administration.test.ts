/**
 * Role administration through the pages: rules that agree with each other
 * (editing a role, one invite permission, suspended organizations and the
 * invitations into them, `error` audit rows), forms that answer like every
 * other form (422, field errors beside the field, what was typed kept), and a
 * grant picker with no cap.
 */
import { randomBytes } from 'node:crypto'
import { beforeAll, describe, expect, test, vi } from 'vitest'
import { CATALOG } from '~/lib/permissions'
import { hashSecret } from '~/lib/secrets.server'
import { ApiClient } from '../utils/api'
import { Client, createOrg, PASSWORD, signedUpClient } from '../utils/app'
import { onCitus } from '../utils/citus'
import { expectConsoleError } from '../utils/console'
import { setupApp } from '../utils/fixture'
import { addMember } from '../utils/tenants'

// Read by the app's configuration, which this worker has not parsed yet.
const OPERATOR = `operator-roles-${process.pid}-${Date.now().toString(36)}@example.test`
process.env.SECURITY_OPERATOR_EMAILS = OPERATOR

const ctx = setupApp()
let owner: Client & { email: string }
let keeper: Client & { email: string }
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
  owner = await signedUpClient(ctx.origin, 'Orla Owner')
  keeper = await signedUpClient(ctx.origin, 'Kip Keeper')
  slug = await createOrg(owner, 'Roles Admin Org')
  orgId = (await one('select id from organizations where slug = $1', [slug])).id
  await ctx.admin.query(
    `insert into roles (organization_id, key, name, permissions)
     values ($1, 'keeper', 'Keeper', '{organization:view,member:view,member:update,role:view,role:manage,workspace:view,project:view,project:create}')`,
    [orgId],
  )
  await addMember(ctx.admin, orgId, await userId(keeper.email), 'keeper')
})

describe('rules that agree', () => {
  test('editing a role on its page needs every permission it holds, before and after', async () => {
    const role = await one(
      `insert into roles (organization_id, key, name, permissions) values ($1, 'mighty', 'Mighty', '{organization:view,organization:delete}') returning id`,
      [orgId],
    )
    // The keeper may not even open it to strip organization:delete: the form would hand it back changed.
    const body = new URLSearchParams([
      ['name', 'Mighty'],
      ['permissions', 'organization:view'],
    ])
    const response = await keeper.request(`/orgs/${slug}/roles/${role.id}`, { method: 'POST', body })
    expect(response.status).toBe(403)
    const html = await response.text()
    expect(html).toContain('You cannot edit a role holding permissions you do not hold: organization:delete')
    expect(html).toContain('value="Mighty"')
    expect(await one('select permissions from roles where id = $1', [role.id])).toEqual({ permissions: ['organization:view', 'organization:delete'] })
    expect((await owner.request(`/orgs/${slug}/roles/${role.id}`, { method: 'POST', body })).status).toBe(302)
    expect(await one('select permissions from roles where id = $1', [role.id])).toEqual({ permissions: ['organization:view'] })
  })

  test('invitations have one permission, member:invite: organization:invite is no longer in the catalog', async () => {
    expect(CATALOG).not.toContain('organization:invite')
    expect(CATALOG).toContain('member:invite')
    const body = new URLSearchParams([
      ['name', 'Inviter'],
      ['permissions', 'organization:invite'],
    ])
    const response = await owner.request(`/orgs/${slug}/roles/new`, { method: 'POST', body })
    expect(response.status).toBe(422)
    expect(await response.text()).toContain('Unknown permissions: organization:invite')
    const html = await (await owner.get(`/orgs/${slug}/roles/new`)).text()
    expect(html).not.toContain('Invite to organization')
    expect(html).toContain('member:invite')
  })
})

describe('a suspended organization', () => {
  let operator: Client

  beforeAll(async () => {
    operator = new Client(ctx.origin)
    expect((await operator.post('/signup', { name: 'Instance Operator', email: OPERATOR, password: PASSWORD })).status).toBe(302)
    await ctx.admin.query('update auth.users set email_verified_at = now() where email = $1', [OPERATOR])
  })

  test('only a verified operator sees the organizations page; bad input is a 422 that changes nothing', async () => {
    expect((await owner.get('/operator/organizations')).status).toBe(404)
    expect((await owner.post('/operator/organizations', { organizationId: orgId, status: 'suspended' })).status).toBe(404)
    const found = await operator.get(`/operator/organizations?find=${encodeURIComponent('Roles Admin')}`)
    expect(found.status).toBe(200)
    // The row names the organization and counts its active members.
    const { active } = await one(`select count(*)::int as active from organization_members where organization_id = $1 and status = 'active'`, [orgId])
    expect(active).toBeGreaterThan(1)
    expect(await found.text()).toMatch(new RegExp(`>Roles Admin Org</span>.*?</td><td[^>]*>${active}</td>`))
    for (const fields of [
      { organizationId: 'nope', status: 'suspended' },
      { organizationId: orgId, status: 'frozen' },
    ]) {
      expect((await operator.post('/operator/organizations', fields)).status).toBe(422)
    }
    expect(await one('select status from organizations where id = $1', [orgId])).toEqual({ status: 'active' })
  })

  test('is read-only for its members and every page says so, on both doors, until an operator reactivates it', async () => {
    const target = await signedUpClient(ctx.origin, 'Tia Target')
    await addMember(ctx.admin, orgId, await userId(target.email), 'member')
    expect((await operator.post('/operator/organizations', { organizationId: orgId, status: 'suspended' })).status).toBe(302)
    expect(await one(`select user_id, details from audit_logs where organization_id = $1 and action = 'organization.suspended'`, [orgId])).toEqual({
      user_id: await userId(OPERATOR),
      details: { by: 'operator' },
    })

    for (const page of [`/orgs/${slug}`, `/orgs/${slug}/members`, `/orgs/${slug}/settings`]) {
      const response = await owner.get(page)
      expect(response.status, page).toBe(200)
      expect(await response.text(), page).toContain('This organization is suspended')
    }
    expect(await (await owner.get('/orgs')).text()).toMatch(/Roles Admin Org<span[^>]*>suspended<\/span>/)
    const refused = await owner.post(`/orgs/${slug}/workspaces/new`, { name: 'Not now' })
    expect(refused.status).toBe(403)
    expect(await refused.text()).toContain('This organization is suspended')
    expect((await owner.post(`/orgs/${slug}/members/${await memberId(target.email)}`, { intent: 'suspend' })).status).toBe(403)
    expect((await owner.post(`/orgs/${slug}/settings`, { name: 'Renamed', slug })).status).toBe(403)

    const token = (
      (await await fetch(`${ctx.origin}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: owner.email, password: PASSWORD }),
      }).then((r) => r.json())) as { data: { token: string } }
    ).data.token
    const api = new ApiClient(ctx.origin, token)
    expect((await api.get(`/api/organizations/${orgId}/workspaces`)).status).toBe(200)
    const apiRefusal = await api.post(`/api/organizations/${orgId}/workspaces`, { name: 'Not now' })
    expect(apiRefusal.status).toBe(403)
    expect(apiRefusal.body.error.code).toBe('ORGANIZATION_SUSPENDED')
    expect(await one(`select count(*)::int as n from workspaces where organization_id = $1 and name = 'Not now'`, [orgId])).toEqual({ n: 0 })
    expect(await one('select status from organization_members where id = $1', [await memberId(target.email)])).toEqual({ status: 'active' })
    const denied = await one(
      `select count(*)::int as n from audit_logs where organization_id = $1 and action = 'permission.denied' and details ->> 'reason' = 'suspended'`,
      [orgId],
    )
    expect(denied.n).toBeGreaterThanOrEqual(3)

    // Joining is a write too: the invitation waits, still valid, for the reactivation.
    const invitee = await signedUpClient(ctx.origin, 'Ivy Invitee')
    const invitation = randomBytes(32).toString('base64url')
    await ctx.admin.query(
      `insert into invitations (organization_id, email, role, token_hash, expires_at) values ($1, $2, 'member', $3, now() + interval '1 day')`,
      [orgId, invitee.email, hashSecret(invitation)],
    )
    const waiting = await invitee.post(`/invitations/${invitation}`, {})
    expect(waiting.status).toBe(409)
    expect(await waiting.text()).toContain('This organization is suspended')
    expect(
      await one('select count(*)::int as n from organization_members where organization_id = $1 and user_id = $2', [
        orgId,
        await userId(invitee.email),
      ]),
    ).toEqual({ n: 0 })

    expect((await operator.post('/operator/organizations', { organizationId: orgId, status: 'active' })).status).toBe(302)
    expect((await invitee.post(`/invitations/${invitation}`, {})).headers.get('location')).toBe(`/orgs/${slug}`)
    expect((await owner.post(`/orgs/${slug}/workspaces/new`, { name: 'Now' })).status).toBe(302)
    expect(await (await owner.get(`/orgs/${slug}`)).text()).not.toContain('This organization is suspended')
  })
})

describe('a failure after the permission check', () => {
  // On Citus this test's own setup (a function and a trigger in one multi-statement query) does not reach the workers.
  test.skipIf(onCitus)('is audited as error, in a transaction of its own, on both doors', async () => {
    expectConsoleError(/unhandled (API )?error/)
    expectConsoleError(/request errored/)
    // A fault the app does not expect: the database refuses this one name.
    await ctx.admin.query(`
      create or replace function public.test_explode() returns trigger language plpgsql as $$
      begin if new.name = 'Explode' then raise exception 'test fault'; end if; return new; end $$;
      create trigger test_explode before insert on public.workspaces for each row execute function public.test_explode();`)
    try {
      const page = await owner.post(`/orgs/${slug}/workspaces/new`, { name: 'Explode' })
      expect(page.status).toBe(500)
      const token = (
        (await fetch(`${ctx.origin}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: owner.email, password: PASSWORD }),
        }).then((r) => r.json())) as { data: { token: string } }
      ).data.token
      const api = await new ApiClient(ctx.origin, token).post(`/api/organizations/${orgId}/workspaces`, { name: 'Explode' })
      expect(api.status).toBe(500)
      const rows = await vi.waitFor(
        async () => {
          const { rows } = await ctx.admin.query(
            `select result, resource_type, details from audit_logs where organization_id = $1 and action = 'request.failed' order by created_at`,
            [orgId],
          )
          if (rows.length < 2) throw new Error('not yet')
          return rows
        },
        { timeout: 5_000, interval: 50 },
      )
      expect(rows).toEqual([
        {
          result: 'error',
          resource_type: 'workspace',
          details: expect.objectContaining({ permission: 'workspace:create', method: 'POST', path: `/orgs/${slug}/workspaces/new` }),
        },
        {
          result: 'error',
          resource_type: 'workspace',
          details: expect.objectContaining({ permission: 'workspace:create', method: 'POST', path: `/api/organizations/${orgId}/workspaces` }),
        },
      ])
      expect(await one(`select count(*)::int as n from workspaces where name = 'Explode'`)).toEqual({ n: 0 })
      // A refusal is a failure, not an error: the member role may not create workspaces.
      const member = await signedUpClient(ctx.origin, 'Rita Refused')
      await addMember(ctx.admin, orgId, await userId(member.email), 'member')
      expect((await member.post(`/orgs/${slug}/workspaces/new`, { name: 'Explode' })).status).toBe(403)
      expect(await one(`select count(*)::int as n from audit_logs where organization_id = $1 and action = 'request.failed'`, [orgId])).toEqual({
        n: 2,
      })
    } finally {
      await ctx.admin.query('drop trigger test_explode on public.workspaces; drop function public.test_explode()')
    }
  })
})

describe('the member screens answer like every other form', () => {
  test('a refused or invalid role change is a field error beside the field; 422 without JavaScript', async () => {
    const target = await signedUpClient(ctx.origin, 'Fay Field')
    await addMember(ctx.admin, orgId, await userId(target.email), 'member')
    const page = `/orgs/${slug}/members/${await memberId(target.email)}`
    for (const intent of ['constructor', 'explode', '']) expect((await owner.post(page, { intent })).status, intent).toBe(422)
    const invalid = await owner.post(page, { intent: 'role', role: '' })
    expect(invalid.status).toBe(422)
    expect(await invalid.text()).toMatch(/id="member-role-role-error"[^>]*><li>Choose a role<\/li>/)

    const refused = await keeper.post(page, { intent: 'role', role: 'admin' })
    expect(refused.status).toBe(403)
    const html = await refused.text()
    expect(html).toMatch(/id="member-role-role-error"[^>]*><li>You cannot give a role with permissions you do not hold<\/li>/)
    expect(await one('select role from organization_members where id = $1', [await memberId(target.email)])).toEqual({ role: 'member' })

    const self = await keeper.post(`/orgs/${slug}/members/${await memberId(keeper.email)}`, { intent: 'suspend' })
    expect(self.status).toBe(403)
    expect(await self.text()).toContain('You cannot change your own membership')
  })

  test('removing the last owner says which rule refused it', async () => {
    const solo = await signedUpClient(ctx.origin, 'Sol Solo')
    const soloSlug = await createOrg(solo, 'Solo Removal Org')
    const soloOrg = (await one('select id from organizations where slug = $1', [soloSlug])).id
    const admin = await signedUpClient(ctx.origin, 'Ari Admin')
    await addMember(ctx.admin, soloOrg, await userId(admin.email), 'admin')
    const ownerMember = (await one(`select id from organization_members where organization_id = $1 and role = 'owner'`, [soloOrg])).id
    const refused = await admin.post(`/orgs/${soloSlug}/members/${ownerMember}/remove`, {})
    expect(refused.status).toBe(403)
    expect(await refused.text()).toContain('Only someone holding everything an Owner holds can change this member')
  })

  test('invitation actions: a malformed one is a 422 beside its invitation; a gone one says so', async () => {
    const invitation = await one(
      `insert into invitations (organization_id, email, role, token_hash, expires_at)
       values ($1, 'pending@example.test', 'member', repeat('b', 64), now() + interval '7 days') returning id`,
      [orgId],
    )
    expect((await owner.post(`/orgs/${slug}/members?index`, { intent: 'explode', invitationId: invitation.id })).status).toBe(422)
    const malformed = await owner.post(`/orgs/${slug}/members?index`, { intent: 'revoke', invitationId: 'nope' })
    expect(malformed.status).toBe(422)
    expect(await malformed.text()).toMatch(/role="alert"[^>]*>Not an invitation</)
    expect(await one('select revoked_at from invitations where id = $1', [invitation.id])).toEqual({ revoked_at: null })
    expect((await owner.post(`/orgs/${slug}/members?index`, { intent: 'revoke', invitationId: invitation.id })).status).toBe(302)
    const again = await owner.post(`/orgs/${slug}/members?index`, { intent: 'revoke', invitationId: invitation.id })
    expect(again.status).toBe(404)
    expect(await again.text()).toMatch(/role="alert"[^>]*>This invitation is no longer pending: it was revoked or accepted\.</)
  })
})

describe('the grant picker', () => {
  test('finds any of hundreds of workspaces and projects by name, page by page, without JavaScript', async () => {
    const big = await signedUpClient(ctx.origin, 'Bea Big')
    const bigSlug = await createOrg(big, 'Big Org')
    const bigOrg = (await one('select id from organizations where slug = $1', [bigSlug])).id
    await ctx.admin.query(
      `insert into workspaces (organization_id, name, slug) select $1, 'Team ' || lpad(n::text, 3, '0'), 'team-' || n from generate_series(1, 250) n`,
      [bigOrg],
    )
    const general = (await one(`select id from workspaces where organization_id = $1 and slug = 'general'`, [bigOrg])).id
    await ctx.admin.query(
      `insert into projects (organization_id, workspace_id, name, slug) select $1, $2, 'Project ' || n, 'project-' || n from generate_series(1, 250) n`,
      [bigOrg, general],
    )
    const grantee = await signedUpClient(ctx.origin, 'Gus Grantee')
    await addMember(ctx.admin, bigOrg, await userId(grantee.email), 'member')
    const granteeMember = (
      await one('select id from organization_members where organization_id = $1 and user_id = $2', [bigOrg, await userId(grantee.email)])
    ).id
    const page = `/orgs/${bigSlug}/members/${granteeMember}`

    const all = await (await big.get(page)).text()
    expect(all).toContain('(501 in all)')
    expect(all).toContain('Page 1 of 26')
    const last = await (await big.get(`${page}?page=26`)).text()
    expect(last).toContain('Team 250')

    const found = await (await big.get(`${page}?find=team+250`)).text()
    expect(found).toContain('1 found')
    const team250 = (await one(`select id from workspaces where organization_id = $1 and name = 'Team 250'`, [bigOrg])).id
    expect(found).toContain(`value="workspace:${team250}"`)
    const projects = await (await big.get(`${page}?find=${encodeURIComponent('general / project 24')}`)).text()
    expect(projects).toContain('11 found') // Project 24 and 240–249

    const missing = await big.post(`${page}?find=team+250`, { intent: 'add-grant', role: 'member' })
    expect(missing.status).toBe(422)
    const html = await missing.text()
    expect(html).toMatch(/id="add-grant-target-error"[^>]*><li>Choose a workspace or project<\/li>/)
    expect(html).toContain(`value="workspace:${team250}"`)
    expect((await big.post(`${page}?find=team+250`, { intent: 'add-grant', role: 'member', target: `workspace:${team250}` })).status).toBe(302)
    expect(await one('select workspace_id from role_grants where member_id = $1', [granteeMember])).toEqual({ workspace_id: team250 })
  })
})
