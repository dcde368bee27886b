import type pg from 'pg'
import { beforeAll, describe, expect, inject, test } from 'vitest'
import { parseConfig } from '~/lib/config.server'
import { ACCOUNT_CHAIN, verifyChain } from '../../db/audit-chain'
import { DEMO_ACCOUNTS, DEMO_ORGANIZATION, seedDemo } from '../../db/seed-demo'
import { Client, startApp } from '../utils/app'
import { setupApp } from '../utils/fixture'

// The HTTP layer runs as `npm start` runs it in development, handed the seeded accounts.
const ctx = setupApp({ NODE_ENV: 'development' }, { demoAccounts: DEMO_ACCOUNTS })
const ORG = '/orgs/acme-robotics'
const email = (who: 'demo' | 'admin' | 'member' | 'auditor' | 'suspended') => `${who}@nextsaas.dev`

let seeded: Awaited<ReturnType<typeof seedDemo>>
beforeAll(async () => {
  seeded = await seedDemo(inject('databaseUrl'))
}, 120_000)

/** Everything the seed wrote, as counts and latest timestamps: a second run must leave it as it is. */
async function footprint(admin: pg.Client) {
  const { rows } = await admin.query(
    `with o as (select id from organizations where slug = 'acme-robotics'),
          u as (select id from auth.users where email like '%@nextsaas.dev')
     select (select count(*) from auth.users where id in (select id from u)) as users,
            (select max(updated_at) from auth.users where id in (select id from u)) as users_updated,
            (select count(*) from auth.sessions where user_id in (select id from u)) as sessions,
            (select count(*) from audit_logs where organization_id in (select id from o) or user_id in (select id from u)) as audit,
            (select count(*) from security_events where organization_id in (select id from o)) as events,
            (select count(*) from organizations where name = $1) as organizations,
            (select count(*) from roles where organization_id in (select id from o)) as roles,
            (select count(*) from organization_members where organization_id in (select id from o)) as members,
            (select count(*) from workspaces where organization_id in (select id from o)) as workspaces,
            (select count(*) || '/' || max(updated_at) from projects where organization_id in (select id from o)) as projects,
            (select count(*) from invitations where organization_id in (select id from o)) as invitations,
            (select count(*) from role_grants where organization_id in (select id from o)) as grants`,
    [DEMO_ORGANIZATION],
  )
  return rows[0]
}

async function signIn(who: Parameters<typeof email>[0]) {
  const client = new Client(ctx.origin)
  const response = await client.post('/login', { email: email(who), password: DEMO_ACCOUNTS.password, redirectTo: '' })
  expect(response.status).toBe(302)
  return client
}

describe('the demo seed', () => {
  test('runs once: a second run finds the organization and writes nothing', async () => {
    expect(seeded).toEqual({ organization: { name: DEMO_ORGANIZATION, slug: 'acme-robotics' }, created: true })
    const before = await footprint(ctx.admin)
    expect(await seedDemo(inject('databaseUrl'))).toEqual({ ...seeded, created: false })
    expect(await footprint(ctx.admin)).toEqual(before)
  })

  test('its audit rows, dated afterwards, still form verifiable hash chains', async () => {
    const { rows } = await ctx.admin.query(`select id from organizations where slug = 'acme-robotics'`)
    expect(await verifyChain(ctx.admin, rows[0].id)).toMatchObject({ ok: true })
    expect(await verifyChain(ctx.admin, ACCOUNT_CHAIN)).toMatchObject({ ok: true })
  })

  test('holds three workspaces, a dozen projects, five people in five situations and a pending invitation', async () => {
    const org = `(select id from organizations where slug = 'acme-robotics')`
    const { rows: projects } = await ctx.admin.query(
      `select w.name as workspace, p.status from projects p join workspaces w on w.organization_id = p.organization_id and w.id = p.workspace_id where p.organization_id = ${org}`,
    )
    expect(new Set(projects.map((p) => p.workspace))).toEqual(new Set(['Engineering', 'Design', 'Marketing']))
    expect(projects).toHaveLength(12)
    expect(projects.filter((p) => p.status === 'archived')).toHaveLength(3)

    const { rows: members } = await ctx.admin.query(
      `select u.email, r.name as role, r.permissions, m.status, u.email_verified_at is not null as verified,
              (select count(*)::int from role_grants g where g.organization_id = m.organization_id and g.member_id = m.id and g.project_id is not null) as project_grants
       from organization_members m join auth.users u on u.id = m.user_id
       join roles r on r.organization_id = m.organization_id and r.key = m.role
       where m.organization_id = ${org} order by u.email`,
    )
    expect(members.map(({ email, role, status, project_grants }) => [email, role, status, project_grants])).toEqual([
      [email('admin'), 'Admin', 'active', 0],
      [email('auditor'), 'Auditor', 'active', 0],
      [email('demo'), 'Owner', 'active', 0],
      [email('member'), 'Member', 'active', 1],
      [email('suspended'), 'Member', 'suspended', 0],
    ])
    expect(members.find((m) => m.role === 'Auditor').permissions).toEqual(['audit:view'])
    expect(members.every((m) => m.verified)).toBe(true)

    const { rows: pending } = await ctx.admin.query(
      `select email from invitations where organization_id = ${org} and accepted_at is null and revoked_at is null and expires_at > now()`,
    )
    expect(pending).toHaveLength(1)
  })

  test('has weeks of history, written by the models and dated in order', async () => {
    const { rows } = await ctx.admin.query(
      `select action, result, created_at from audit_logs
       where organization_id = (select id from organizations where slug = 'acme-robotics') order by created_at`,
    )
    const count = (action: string) => rows.filter((r) => r.action === action).length
    // One row per change, as each model writes it: twelve projects, six invitations (four accepted).
    expect(count('organization.created')).toBe(1)
    expect(count('project.created')).toBe(12)
    expect(count('project.archived')).toBe(3)
    expect(count('invitation.created')).toBe(6)
    expect(count('invitation.accepted')).toBe(4)
    expect(count('invitation.revoked')).toBe(1)
    for (const action of ['role.created', 'member.grant_added', 'member.suspended', 'permission.denied', 'rate_limit.exceeded']) {
      expect(count(action), action).toBeGreaterThan(0)
    }
    const first = rows[0].created_at.getTime()
    const last = rows.at(-1).created_at.getTime()
    expect(last - first).toBeGreaterThan(21 * 86_400_000)
    expect(last).toBeLessThanOrEqual(Date.now())
    expect(new Set(rows.map((r) => r.created_at.toISOString().slice(0, 10))).size).toBeGreaterThan(14)

    const { rows: events } = await ctx.admin.query(
      `select type, blocked, created_at from security_events
       where organization_id = (select id from organizations where slug = 'acme-robotics')`,
    )
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(['SQL_INJECTION', 'PATH_TRAVERSAL', 'COMMAND_INJECTION', 'XSS_ATTEMPT']))
    expect(events.filter((e) => e.type === 'XSS_ATTEMPT').every((e) => !e.blocked)).toBe(true)
    expect(events.filter((e) => e.type !== 'XSS_ATTEMPT').every((e) => e.blocked)).toBe(true)
    expect(events.every((e) => e.created_at.getTime() < Date.now() - 86_400_000)).toBe(true)
  })
})

describe('each demo account shows what it was made for', () => {
  test('the owner, verified, sees the three workspaces and the refusals of the last day', async () => {
    const owner = await signIn('demo')
    const home = await (await owner.get(ORG)).text()
    expect(home.match(/data-testid="workspace-card"/g)).toHaveLength(3)
    expect(home).not.toContain('Please verify your email address')
    const usage = await (await owner.get(`${ORG}/settings/usage`)).text()
    expect(usage).toContain('GET /orgs/$org/workspaces/engineering')
  })

  test('the admin sees the suspended member, the pending invitation and the blocked attacks', async () => {
    const admin = await signIn('admin')
    const members = await (await admin.get(`${ORG}/members`)).text()
    expect(members).toContain('priya@acme-robotics.example')
    expect(members).toContain('suspended')
    const security = await admin.get(`${ORG}/security`)
    expect(security.status).toBe(200)
    expect(await security.text()).toContain('sqli-tautology-quoted')
  })

  test('the member edits the project their grant covers, and no other', async () => {
    const member = await signIn('member')
    expect((await member.get(`${ORG}/workspaces/engineering/projects/checkout-redesign/edit`)).status).toBe(200)
    expect((await member.get(`${ORG}/workspaces/engineering/projects/api-gateway/edit`)).status).toBe(403)
  })

  test('the auditor reads the audit log and sees no workspace', async () => {
    const auditor = await signIn('auditor')
    const log = await auditor.get(`${ORG}/audit`)
    expect(log.status).toBe(200)
    expect(await log.text()).toContain('data-testid="audit-entry"')
    expect((await auditor.get(ORG)).status).toBe(403)
    expect((await auditor.get(`${ORG}/members`)).status).toBe(403)
  })

  test('the suspended member signs in to no organization', async () => {
    const suspended = await signIn('suspended')
    expect((await suspended.get(ORG)).status).toBe(404)
    expect(await (await suspended.get('/orgs')).text()).not.toContain(DEMO_ORGANIZATION)
  })
})

test('a production configuration refuses to seed the demo', () => {
  expect(() => parseConfig({ NODE_ENV: 'production', APP_DATABASE_PASSWORD: 'a-long-enough-secret', SEED_DEMO: 'true' })).toThrow(
    /SEED_DEMO: never in production/,
  )
})

describe('the sign-in page offers the demo accounts', () => {
  test('in development: each account, signed in with one click', async () => {
    const page = await (await new Client(ctx.origin).get('/login')).text()
    for (const account of DEMO_ACCOUNTS.accounts) expect(page).toContain(`Sign in as ${account.email}`)
    // The auditor's form, posted as the browser would post it, signs in.
    const form = page.split('<form').find((chunk) => chunk.includes(`Sign in as ${email('auditor')}`))!
    const fields = Object.fromEntries([...form.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]))
    expect(fields).toEqual({ email: email('auditor'), password: DEMO_ACCOUNTS.password, redirectTo: '' })
    const auditor = new Client(ctx.origin)
    expect((await auditor.post('/login', fields)).status).toBe(302)
    expect((await auditor.get(`${ORG}/audit`)).status).toBe(200)
  })

  test('never in production, even when handed them', async () => {
    const production = await startApp({ NODE_ENV: 'production' }, { demoAccounts: DEMO_ACCOUNTS })
    try {
      const page = await (await new Client(production.origin).get('/login')).text()
      expect(page).toContain('Sign in')
      expect(page).not.toContain(DEMO_ACCOUNTS.password)
      for (const account of DEMO_ACCOUNTS.accounts) expect(page).not.toContain(account.email)
    } finally {
      await production.close()
    }
  })
})
