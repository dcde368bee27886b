/**
 * The organization → workspace → project pages through HTTP, for every role:
 * what each may see and do, what the page says, and what ends up in the
 * database (nothing, when the answer is 403 or 404).
 */
import { beforeAll, describe, expect, test } from 'vitest'
import { Client, createOrg, signedUpClient } from '../utils/app'
import { setupApp } from '../utils/fixture'
import { addMember } from '../utils/tenants'

const ctx = setupApp()
let owner: Client & { email: string }
let orgAdmin: Client & { email: string }
let member: Client & { email: string }
let outsider: Client & { email: string }
/** A custom role holding audit:view alone: no workspace, no project. */
let auditor: Client & { email: string }
let anonymous: Client
let slug: string
let orgId: string

async function userId(email: string) {
  return (await ctx.admin.query('select id from auth.users where email = $1', [email])).rows[0].id as string
}

beforeAll(async () => {
  owner = await signedUpClient(ctx.origin, 'Olivia Owner')
  orgAdmin = await signedUpClient(ctx.origin, 'Adam Admin')
  member = await signedUpClient(ctx.origin, 'Mia Member')
  outsider = await signedUpClient(ctx.origin, 'Oscar Outsider')
  auditor = await signedUpClient(ctx.origin, 'Aude Auditor')
  anonymous = new Client(ctx.origin)
  slug = await createOrg(owner, 'Hierarchy Test Org')
  orgId = (await ctx.admin.query('select id from organizations where slug = $1', [slug])).rows[0].id
  await addMember(ctx.admin, orgId, await userId(orgAdmin.email), 'admin')
  await addMember(ctx.admin, orgId, await userId(member.email), 'member')
  await ctx.admin.query(`insert into roles (organization_id, key, name, permissions) values ($1, 'auditor', 'Auditor', '{audit:view}')`, [orgId])
  await addMember(ctx.admin, orgId, await userId(auditor.email), 'auditor')
  await createOrg(outsider, 'Outsider Org')
})

const count = async (sql: string, values: unknown[]) => Number((await ctx.admin.query(sql, values)).rows[0].count)

describe('who may see what', () => {
  const cases: [string, () => Client, number][] = [
    ['owner', () => owner, 200],
    ['admin', () => orgAdmin, 200],
    ['member', () => member, 200],
    ['non-member', () => outsider, 404],
  ]
  test.each([...cases, ['custom role without workspace:view', () => auditor, 403] as (typeof cases)[number]])(
    'organization home for %s → %i',
    async (_, who, status) => {
      const response = await who().get(`/orgs/${slug}`)
      expect(response.status).toBe(status)
      const html = await response.text()
      if (status === 200) expect(html).toContain('General')
      else expect(html).not.toContain('General')
      if (status === 404) expect(html).not.toContain('Hierarchy Test Org')
    },
  )

  test('signed-out visitors are sent to sign in, then back', async () => {
    const response = await anonymous.get(`/orgs/${slug}/workspaces/general`)
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe(`/login?redirectTo=${encodeURIComponent(`/orgs/${slug}/workspaces/general`)}`)
  })

  test('another tenant’s workspace answers exactly like one that does not exist', async () => {
    const theirs = await outsider.get(`/orgs/${slug}/workspaces/general`)
    const nowhere = await outsider.get(`/orgs/no-such-org-anywhere/workspaces/general`)
    expect(theirs.status).toBe(404)
    expect(nowhere.status).toBe(404)
    const strip = (html: string) => html.replace(/[0-9a-f-]{36}/g, '').replace(/nonce="[^"]*"/g, '')
    expect(strip(await theirs.text())).toBe(strip(await nowhere.text()))
  })

  test('a path segment that cannot be a slug (NUL, capitals, slashes) is a 404, never a database error', async () => {
    for (const path of [
      '/orgs/%00',
      `/orgs/${slug.toUpperCase()}`,
      `/orgs/${slug}/workspaces/%00`,
      `/orgs/${slug}/workspaces/%00/edit`,
      `/orgs/${slug}/workspaces/general/projects/%00`,
      `/orgs/${slug}/workspaces/general/projects/a%2Fb`,
    ]) {
      expect((await owner.get(path)).status, path).toBe(404)
    }
  })

  test('members see no create button; owners do', async () => {
    expect(await (await member.get(`/orgs/${slug}`)).text()).not.toContain('New workspace')
    expect(await (await owner.get(`/orgs/${slug}`)).text()).toContain('New workspace')
  })
})

describe('view permissions: pages refuse what the role does not show', () => {
  const general = () => `/orgs/${slug}/workspaces/general`

  test('a role holding only audit:view gets 403 on every workspace and project page, and reads its audit log', async () => {
    await owner.post(`${general()}/projects/new`, { name: 'Hidden Plans' })
    for (const path of [`/orgs/${slug}`, general(), `${general()}/projects/hidden-plans`, `${general()}/projects/hidden-plans/edit`]) {
      const response = await auditor.get(path)
      expect(response.status, path).toBe(403)
      const html = await response.text()
      expect(html, path).not.toContain('Hidden Plans')
      expect(html, path).not.toContain('General')
    }
    const data = await auditor.get(`${general()}.data`)
    expect(data.status).toBe(403)
    expect(await data.text()).not.toContain('Hidden Plans')
    expect((await auditor.get(`/orgs/${slug}/audit`)).status).toBe(200)
    const nav = await (await auditor.get(`/orgs/${slug}/audit`)).text()
    expect(nav).not.toMatch(/>Workspaces</)
    expect(
      await count(
        `select count(*) from audit_logs where organization_id = $1 and action = 'permission.denied' and details->>'permission' = 'workspace:view'`,
        [orgId],
      ),
    ).toBeGreaterThan(0)
  })

  test('a project grant shows that project and its workspace’s name, nothing else', async () => {
    const guest = await signedUpClient(ctx.origin, 'Gus Guest')
    await addMember(ctx.admin, orgId, await userId(guest.email), 'auditor')
    await owner.post(`/orgs/${slug}/workspaces/new`, { name: 'Elsewhere' })
    await owner.post(`${general()}/projects/new`, { name: 'Granted One' })
    await owner.post(`${general()}/projects/new`, { name: 'Not Granted' })
    await ctx.admin.query(
      `insert into role_grants (organization_id, member_id, role, project_id)
       select $1, m.id, 'member', p.id from organization_members m, projects p
       where m.organization_id = $1 and m.user_id = $2 and p.organization_id = $1 and p.slug = 'granted-one'`,
      [orgId, await userId(guest.email)],
    )
    const home = await guest.get(`/orgs/${slug}`)
    expect(home.status).toBe(200)
    const cards = await home.text()
    expect(cards).toContain('General')
    expect(cards).not.toContain('Elsewhere')
    expect((await guest.get(`/orgs/${slug}/workspaces/elsewhere`)).status).toBe(404)
    const workspace = await (await guest.get(general())).text()
    expect(workspace).toContain('Granted One')
    expect(workspace).not.toContain('Not Granted')
    expect((await guest.get(`${general()}/projects/granted-one`)).status).toBe(200)
    expect((await guest.get(`${general()}/projects/not-granted`)).status).toBe(404)
  })

  test('a role with workspace:view but not project:view sees the workspace, not its projects', async () => {
    const viewer = await signedUpClient(ctx.origin, 'Wanda Viewer')
    await ctx.admin.query(
      `insert into roles (organization_id, key, name, permissions) values ($1, 'ws-viewer', 'Workspace viewer', '{workspace:view}')`,
      [orgId],
    )
    await addMember(ctx.admin, orgId, await userId(viewer.email), 'ws-viewer')
    await owner.post(`${general()}/projects/new`, { name: 'Project Behind Glass' })
    const page = await viewer.get(general())
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('does not show this workspace’s projects')
    expect(html).not.toContain('Project Behind Glass')
    expect((await viewer.get(`${general()}/projects/project-behind-glass`)).status).toBe(403)
  })
})

describe('workspaces', () => {
  test('an owner creates a workspace and is redirected to it; the change is audited', async () => {
    const response = await owner.post(`/orgs/${slug}/workspaces/new`, { name: 'Design Team', description: 'Pixels', icon: '🎨', color: '#AA00FF' })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe(`/orgs/${slug}/workspaces/design-team`)
    const page = await (await owner.get(`/orgs/${slug}/workspaces/design-team`)).text()
    expect(page).toContain('Design Team')
    expect(page).toContain('Pixels')
    expect(
      await count(
        `select count(*) from audit_logs where organization_id = $1 and action = 'workspace.created' and details->>'slug' = 'design-team'`,
        [orgId],
      ),
    ).toBe(1)
  })

  test('a slug clash is a field error that keeps what was typed', async () => {
    const response = await owner.post(`/orgs/${slug}/workspaces/new`, { name: 'Another', slug: 'general', description: 'Kept text' })
    expect(response.status).toBe(409)
    const html = await response.text()
    expect(html).toContain('Another workspace in this organization already uses this slug')
    expect(html).toContain('Kept text')
    expect(html).toContain('value="Another"')
  })

  test('bad input is a 422 with field errors, never a 500', async () => {
    const response = await owner.post(`/orgs/${slug}/workspaces/new`, { name: '', slug: 'Bad Slug!', color: 'red', description: 'x'.repeat(3000) })
    expect(response.status).toBe(422)
    const html = await response.text()
    expect(html).toContain('Name is required')
    expect(html).toContain('Use lowercase letters, digits and single hyphens')
    expect(html).toContain('Use a colour like #3B82F6')
    expect(html).toContain('Use at most 2000 characters')
  })

  test('names in any script get a slug that works in links', async () => {
    const response = await owner.post(`/orgs/${slug}/workspaces/new`, { name: 'Équipe Café 東京' })
    expect(response.status).toBe(302)
    const location = response.headers.get('location')!
    expect(decodeURIComponent(location)).toBe(`/orgs/${slug}/workspaces/equipe-cafe-東京`)
    expect((await owner.get(location)).status).toBe(200)
  })

  test('a member gets 403 on the create form and on a forged POST, and nothing is written', async () => {
    expect((await member.get(`/orgs/${slug}/workspaces/new`)).status).toBe(403)
    const before = await count('select count(*) from workspaces where organization_id = $1', [orgId])
    const response = await member.post(`/orgs/${slug}/workspaces/new`, { name: 'Sneaky' })
    expect(response.status).toBe(403)
    expect(await count('select count(*) from workspaces where organization_id = $1', [orgId])).toBe(before)
    expect(
      await count(
        `select count(*) from audit_logs where organization_id = $1 and action = 'permission.denied' and result = 'failure' and details->>'permission' = 'workspace:create'`,
        [orgId],
      ),
    ).toBeGreaterThan(0)
  })

  test('a non-member gets 404 on a forged POST into the organization', async () => {
    const response = await outsider.post(`/orgs/${slug}/workspaces/new`, { name: 'Intruder' })
    expect(response.status).toBe(404)
    expect(await count(`select count(*) from workspaces where name = 'Intruder'`, [])).toBe(0)
  })

  test('an admin edits a workspace, renaming its slug', async () => {
    await owner.post(`/orgs/${slug}/workspaces/new`, { name: 'Marketing' })
    const response = await orgAdmin.post(`/orgs/${slug}/workspaces/marketing/edit`, {
      name: 'Growth',
      slug: 'growth',
      description: '',
      icon: '📈',
      color: '#10B981',
    })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe(`/orgs/${slug}/workspaces/growth`)
    expect((await orgAdmin.get(`/orgs/${slug}/workspaces/marketing`)).status).toBe(404)
    expect((await member.post(`/orgs/${slug}/workspaces/growth/edit`, { name: 'Hacked' })).status).toBe(403)
  })

  test('the default can move, and deleting the default promotes another', async () => {
    await owner.post(`/orgs/${slug}/workspaces/new`, { name: 'Next Default' })
    expect((await owner.post(`/orgs/${slug}/workspaces/next-default/edit`, { intent: 'make-default' })).status).toBe(302)
    const defaults = await ctx.admin.query('select slug from workspaces where organization_id = $1 and is_default', [orgId])
    expect(defaults.rows).toEqual([{ slug: 'next-default' }])

    expect((await owner.get(`/orgs/${slug}/workspaces/next-default/delete`)).status).toBe(200)
    expect((await owner.post(`/orgs/${slug}/workspaces/next-default/delete`, {})).status).toBe(302)
    expect(await count('select count(*) from workspaces where organization_id = $1 and is_default', [orgId])).toBe(1)
  })

  test('an admin of one workspace may neither move the default nor delete the default workspace', async () => {
    const scoped = await signedUpClient(ctx.origin, 'Wes Workspace-Admin')
    await addMember(ctx.admin, orgId, await userId(scoped.email), 'member')
    await owner.post(`/orgs/${slug}/workspaces/new`, { name: 'Scoped One' })
    const defaults = async () => (await ctx.admin.query('select slug from workspaces where organization_id = $1 and is_default', [orgId])).rows
    const before = await defaults()
    const defaultSlug = before[0].slug as string
    for (const ws of ['scoped-one', defaultSlug]) {
      await ctx.admin.query(
        `insert into role_grants (organization_id, member_id, role, workspace_id)
         select $1, m.id, 'admin', w.id from organization_members m, workspaces w
         where m.organization_id = $1 and m.user_id = $2 and w.organization_id = $1 and w.slug = $3`,
        [orgId, await userId(scoped.email), ws],
      )
    }
    const edit = await scoped.get(`/orgs/${slug}/workspaces/scoped-one/edit`)
    expect(edit.status).toBe(200)
    expect(await edit.text()).not.toContain('Make default workspace')
    expect(await (await owner.get(`/orgs/${slug}/workspaces/scoped-one/edit`)).text()).toContain('Make default workspace')
    expect((await scoped.post(`/orgs/${slug}/workspaces/scoped-one/edit`, { intent: 'make-default' })).status).toBe(403)
    expect(await (await scoped.get(`/orgs/${slug}/workspaces/${defaultSlug}/edit`)).text()).not.toContain('Delete workspace…')
    expect((await scoped.get(`/orgs/${slug}/workspaces/${defaultSlug}/delete`)).status).toBe(403)
    expect((await scoped.post(`/orgs/${slug}/workspaces/${defaultSlug}/delete`, {})).status).toBe(403)
    expect(await defaults()).toEqual(before)
    // The grant still covers what stays inside its workspace.
    expect(await (await scoped.get(`/orgs/${slug}/workspaces/scoped-one/edit`)).text()).toContain('Delete workspace…')
    expect((await scoped.post(`/orgs/${slug}/workspaces/scoped-one/delete`, {})).status).toBe(302)
  })

  test('the only workspace cannot be deleted', async () => {
    const solo = await signedUpClient(ctx.origin, 'Solo Owner')
    const soloSlug = await createOrg(solo, 'Solo Org')
    const response = await solo.post(`/orgs/${soloSlug}/workspaces/general/delete`, {})
    expect(response.status).toBe(409)
    expect(await response.text()).toContain('The only workspace of an organization cannot be deleted.')
  })

  test('members cannot delete workspaces', async () => {
    expect((await member.get(`/orgs/${slug}/workspaces/general/delete`)).status).toBe(403)
    expect((await member.post(`/orgs/${slug}/workspaces/general/delete`, {})).status).toBe(403)
    expect(await count(`select count(*) from workspaces where organization_id = $1 and slug = 'general'`, [orgId])).toBe(1)
  })
})

describe('projects', () => {
  const base = () => `/orgs/${slug}/workspaces/general/projects`

  test('a member creates a project; cannot edit, archive or delete it', async () => {
    const response = await member.post(`${base()}/new`, { name: 'Member Project', description: 'Made by a member' })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe(`${base()}/member-project`)
    expect(await (await member.get(`${base()}/member-project`)).text()).toContain('Made by a member')
    expect((await member.post(`${base()}/member-project/edit`, { name: 'Renamed' })).status).toBe(403)
    expect((await member.post(`${base()}/member-project?index`, { status: 'archived' })).status).toBe(403)
    expect((await member.post(`${base()}/member-project/delete`, {})).status).toBe(403)
    expect(await count(`select count(*) from projects where organization_id = $1 and slug = 'member-project' and status = 'active'`, [orgId])).toBe(1)
  })

  test('an admin archives, unarchives, edits and deletes a project', async () => {
    await owner.post(`${base()}/new`, { name: 'Lifecycle' })
    expect((await orgAdmin.post(`${base()}/lifecycle?index`, { status: 'archived' })).status).toBe(302)
    expect(await (await orgAdmin.get(`${base()}/lifecycle`)).text()).toContain('Archived')
    expect((await orgAdmin.post(`${base()}/lifecycle?index`, { status: 'active' })).status).toBe(302)
    expect((await orgAdmin.post(`${base()}/lifecycle?index`, { status: 'bogus' })).status).toBe(400)
    expect((await orgAdmin.post(`${base()}/lifecycle/edit`, { name: 'Lifecycle 2', slug: 'lifecycle-2' })).headers.get('location')).toBe(
      `${base()}/lifecycle-2`,
    )
    expect((await orgAdmin.post(`${base()}/lifecycle-2/delete`, {})).status).toBe(302)
    const actions = await ctx.admin.query(
      `select action from audit_logs where organization_id = $1 and resource_type = 'project' and action <> 'permission.denied' order by created_at`,
      [orgId],
    )
    expect(actions.rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['project.created', 'project.archived', 'project.unarchived', 'project.updated', 'project.deleted']),
    )
  })

  test('a project slug clash within the workspace is a field error', async () => {
    await owner.post(`${base()}/new`, { name: 'Twin' })
    const response = await owner.post(`${base()}/new`, { name: 'Twin' })
    expect(response.status).toBe(409)
    expect(await response.text()).toContain('Another project in this workspace already uses this slug')
  })

  test('lists paginate and sort', async () => {
    await owner.post(`/orgs/${slug}/workspaces/new`, { name: 'Busy' })
    for (let i = 1; i <= 23; i++) await owner.post(`/orgs/${slug}/workspaces/busy/projects/new`, { name: `Item ${String(i).padStart(2, '0')}` })
    const first = await (await owner.get(`/orgs/${slug}/workspaces/busy`)).text()
    expect(first).toContain('Page 1 of 2')
    expect(first).toContain('Item 01')
    expect(first).not.toContain('Item 21')
    const second = await (await owner.get(`/orgs/${slug}/workspaces/busy?page=2`)).text()
    expect(second).toContain('Item 21')
    const recent = await (await owner.get(`/orgs/${slug}/workspaces/busy?sort=recent`)).text()
    expect(recent).toContain('Item 23')
    expect(recent).not.toContain('Item 01')
    expect((await owner.get(`/orgs/${slug}/workspaces/busy?page=abc&sort=sideways`)).status).toBe(200)
  })
})

describe('organization settings', () => {
  test('an admin renames; a member may not', async () => {
    const response = await orgAdmin.post(`/orgs/${slug}/settings`, { name: 'Hierarchy Renamed', slug })
    expect(response.status).toBe(302)
    expect(await (await orgAdmin.get(`/orgs/${slug}`)).text()).toContain('Hierarchy Renamed')
    expect((await member.post(`/orgs/${slug}/settings`, { name: 'Member Rename', slug })).status).toBe(403)
  })

  test('a taken slug is a field error', async () => {
    const other = await createOrg(owner, 'Slug Holder')
    const response = await owner.post(`/orgs/${slug}/settings`, { name: 'Hierarchy Renamed', slug: other })
    expect(response.status).toBe(409)
    expect(await response.text()).toContain('This address is taken by another organization')
  })

  test('only the owner deletes, with the typed name, and everything goes in one step', async () => {
    const doomedSlug = await createOrg(owner, 'Doomed Org')
    const doomed = (await ctx.admin.query('select id from organizations where slug = $1', [doomedSlug])).rows[0].id
    await addMember(ctx.admin, doomed, await userId(orgAdmin.email), 'admin')
    await owner.post(`/orgs/${doomedSlug}/workspaces/general/projects/new`, { name: 'Doomed Project' })

    expect((await orgAdmin.post(`/orgs/${doomedSlug}/settings`, { intent: 'delete', confirm: 'Doomed Org' })).status).toBe(403)
    const wrong = await owner.post(`/orgs/${doomedSlug}/settings`, { intent: 'delete', confirm: 'doomed org' })
    expect(wrong.status).toBe(422)
    expect(await wrong.text()).toContain('exactly to confirm')

    const response = await owner.post(`/orgs/${doomedSlug}/settings`, { intent: 'delete', confirm: 'Doomed Org' })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('/orgs')
    for (const table of ['organizations', 'organization_members', 'roles', 'workspaces', 'projects']) {
      const column = table === 'organizations' ? 'id' : 'organization_id'
      expect(await count(`select count(*) from ${table} where ${column} = $1`, [doomed]), table).toBe(0)
    }
    expect(await count(`select count(*) from audit_logs where organization_id = $1 and action = 'organization.deleted'`, [doomed])).toBe(1)
    expect((await owner.get(`/orgs/${doomedSlug}`)).status).toBe(404)
  })
})

describe('input PostgreSQL cannot store', () => {
  test('a NUL character is a field error, not a 500', async () => {
    const response = await owner.post(`/orgs/${slug}/workspaces/new`, { name: 'a\u0000b', description: 'x\u0000y' })
    expect(response.status).toBe(422)
    expect(await response.text()).toContain('Remove the invisible null character')
  })
})
