/**
 * The demo `npm start` seeds on an embedded database (or with SEED_DEMO): an
 * organization with three workspaces and a dozen projects, five people in
 * five situations — owner, admin, a member who leads one project through a
 * scoped grant, an Auditor (a custom role), a suspended member — a pending
 * invitation, and three weeks of history: the audit trail, security events
 * and rate-limit refusals.
 *
 * Everything is done as those people, through the auth layer and the models:
 * the same validation and the same audit rows their clicks would leave. The
 * security events come from the real scanner reading the requests the story
 * describes. Only the dates are set afterwards (demo-timeline.ts).
 *
 * Seeding is idempotent: once the demo owner owns the demo organization,
 * nothing is done again.
 */
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { startSession } from '~/auth/session.server'
import { registerAccount } from '~/auth/sign-in.server'
import { getConfig } from '~/lib/config.server'
import { BUILTIN_ROLES } from '~/lib/permissions'
import { hashSecret } from '~/lib/secrets.server'
import { startEmailVerification, verifyEmail } from '~/models/account.server'
import { recordDenial } from '~/models/audit.server'
import type { Actor, TenantActor } from '~/models/db.server'
import { addGrant } from '~/models/grant.server'
import { acceptInvitation, createInvitation, revokeInvitation } from '~/models/invitation.server'
import { setMemberStatus } from '~/models/member.server'
import { createOrganization, deleteOrganization, listMyOrganizations } from '~/models/organization.server'
import { createProject, setProjectStatus, updateProject, type Project } from '~/models/project.server'
import { recordRateLimitHit, saveRateLimitOverrides } from '~/models/rate-limit-settings.server'
import { createRole } from '~/models/role.server'
import { recordSecurityEvent } from '~/models/security-event.server'
import { endSession } from '~/models/sessions.server'
import { findMembership } from '~/models/tenant.server'
import { findCredentials } from '~/models/user.server'
import { createWorkspace, findWorkspace, updateWorkspace, type Workspace } from '~/models/workspace.server'
import { effectiveLimits } from '~/rate-limit/policies'
import { requestParts, splitTarget, type RawBody } from '~/security/request-parts.server'
import { createScanner } from '~/security/scanner.server'
import { isBlocking } from '~/security/types'
import type { DemoAccounts } from '~/server/demo-accounts.server'
import { daysAgo, hoursAgo, Timeline } from './demo-timeline'

const PASSWORD = 'demo-password-2026'
export const DEMO_ORGANIZATION = 'Acme Robotics'

// Addresses from the documentation ranges (RFC 5737): nobody's real network.
const PEOPLE = {
  owner: {
    email: 'demo@nextsaas.dev',
    name: 'Dana Whitfield',
    summary: 'owner: everything, including deleting the organization',
    ip: '203.0.113.10',
    userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  },
  admin: {
    email: 'admin@nextsaas.dev',
    name: 'Amara Okafor',
    summary: 'admin: members, roles, workspaces, projects, security events and usage',
    ip: '203.0.113.24',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0',
  },
  member: {
    email: 'member@nextsaas.dev',
    name: 'Mateo Rossi',
    summary: 'member: sees workspaces and projects, creates projects; Project lead (custom role) of “Checkout redesign” only',
    ip: '198.51.100.7',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  },
  auditor: {
    email: 'auditor@nextsaas.dev',
    name: 'Ines Laurent',
    summary: 'Auditor, a custom role: sees the audit log only — no workspaces, no members',
    ip: '198.51.100.42',
    userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  },
  suspended: {
    email: 'suspended@nextsaas.dev',
    name: 'Sam Novak',
    summary: 'suspended member: can sign in, sees no organization',
    ip: '192.0.2.66',
    userAgent: 'curl/8.5.0',
  },
}
type Person = keyof typeof PEOPLE

/** The accounts `npm start` prints and the sign-in page offers in development. */
export const DEMO_ACCOUNTS: DemoAccounts = {
  password: PASSWORD,
  accounts: Object.values(PEOPLE).map(({ email, name, summary }) => ({ email, name, summary })),
}

const WORKSPACES = {
  engineering: { name: 'Engineering', description: 'Services, apps and the platform they run on.', icon: '🛠️', color: '#4F46E5' },
  design: { name: 'Design', description: 'The design system, the brand and the product’s flows.', icon: '🎨', color: '#DB2777' },
  marketing: { name: 'Marketing', description: 'Launches, campaigns and the website.', icon: '📣', color: '#059669' },
}
type WorkspaceKey = keyof typeof WORKSPACES

const PROJECTS = {
  gateway: { workspace: 'engineering', name: 'API gateway', description: 'One entrance for every service: auth, quotas, routing.' },
  mobile: { workspace: 'engineering', name: 'Mobile app', description: 'iOS and Android app for fleet operators.' },
  checkout: { workspace: 'engineering', name: 'Checkout redesign', description: 'Fewer steps from cart to paid order.' },
  pipeline: { workspace: 'engineering', name: 'Telemetry pipeline', description: 'Robot telemetry from the edge to the warehouse.' },
  billing: { workspace: 'engineering', name: 'Legacy billing', description: 'The old invoicing service, replaced by Checkout.' },
  system: { workspace: 'design', name: 'Design system', description: 'Tokens, components and their documentation.' },
  brand: { workspace: 'design', name: 'Brand refresh', description: 'New logo, type and colour palette.' },
  icons: { workspace: 'design', name: 'Icon set v1', description: 'The first icon set, superseded by the design system.' },
  onboarding: { workspace: 'design', name: 'Onboarding flow', description: 'First-run experience for new operators.' },
  website: { workspace: 'marketing', name: 'Website', description: 'acme-robotics.example: pages, blog and docs.' },
  campaign: { workspace: 'marketing', name: 'Summer campaign', description: 'Last summer’s trade-show campaign.' },
  launch: { workspace: 'marketing', name: 'Spring launch', description: 'Launch plan for the R2 warehouse robot.' },
} satisfies Record<string, { workspace: WorkspaceKey; name: string; description: string }>
type ProjectKey = keyof typeof PROJECTS

/** What the owner set on the usage page; the refusals below are counted against it. */
const RATE_LIMITS = { userRequests: 200 }

/**
 * Seeds the demo unless its organization exists. `adminUrl` is a privileged
 * URL of the same database, used only to date the story (demo-timeline.ts).
 */
export async function seedDemo(adminUrl: string): Promise<{ organization: { name: string; slug: string }; created: boolean }> {
  const owner = await findCredentials(PEOPLE.owner.email)
  if (owner) {
    const mine = await listMyOrganizations({ userId: owner.id })
    const existing = mine.find((o) => o.name === DEMO_ORGANIZATION && o.role === 'owner')
    if (existing) return { organization: { name: existing.name, slug: existing.slug }, created: false }
  }
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    return { organization: await tellStory(new Timeline(admin)), created: true }
  } finally {
    await admin.end()
  }
}

async function tellStory(timeline: Timeline): Promise<{ name: string; slug: string }> {
  const config = getConfig()
  const users = {} as Record<Person, string>
  const members = {} as Partial<Record<Person, string>>
  const workspaces = {} as Record<WorkspaceKey, Workspace>
  const projects = {} as Record<ProjectKey, Project>
  const client = (who: Person) => ({ ip: PEOPLE[who].ip, userAgent: PEOPLE[who].userAgent })
  const user = (who: Person): Actor => ({ userId: users[who], ...client(who) })
  let organization = { id: '', slug: '' }
  const as = (who: Person): TenantActor => ({ ...user(who), organizationId: organization.id })
  const owner = ['*']
  const admin = BUILTIN_ROLES.find((role) => role.key === 'admin')!.permissions

  /** An account of their own, verified (an existing one is used as it is). */
  const signUp = async (who: Person) => {
    const { email, name } = PEOPLE[who]
    const account = (await findCredentials(email)) ?? (await registerAccount({ email, name, password: PASSWORD }, client(who)))
    users[who] = account.id
    const link = await startEmailVerification(account.id)
    if (link) await verifyEmail(link.token, client(who))
  }

  const tokens = {} as Partial<Record<Person, string>>
  /** `by` invites `who` with `role`; the link goes by mail (here, it is kept for accept()). */
  const invite = (who: Person, by: Person, role: string, at: Date) =>
    timeline.at(at, async () => {
      const held = by === 'owner' ? owner : admin
      tokens[who] = (await createInvitation(as(by), held, { email: PEOPLE[who].email, role })).token
    })
  /** `who` follows the link: signs up, verifies the address and joins. */
  const accept = (who: Person, at: Date) =>
    timeline.at(at, async () => {
      await signUp(who)
      await acceptInvitation(user(who), tokens[who]!)
      members[who] = (await findMembership(user(who), { id: organization.id }))!.memberId
    })

  const project = (key: ProjectKey, by: Person, at: Date) =>
    timeline.at(at, async () => {
      const { workspace, name, description } = PROJECTS[key]
      projects[key] = await createProject(as(by), workspaces[workspace].id, { name, description })
    })

  /** The denial row requirePermission leaves when `who` asks for what their role does not hold. */
  const denied = (who: Person, at: Date, permission: string, resource: { type: string; id: string }) =>
    timeline.at(at, () =>
      recordDenial(as(who), { action: 'permission.denied', resourceType: resource.type, resourceId: resource.id, details: { permission } }),
    )

  /** Requests `who` sent from a session, as the security monitor records them: the real scanner's findings. */
  const requests = (who: Person, at: Date, sent: { method: string; target: string; body?: string }[]) =>
    timeline.at(at, async () => {
      const { userAgent, ip } = PEOPLE[who]
      const request = new Request('http://localhost/', { headers: { 'user-agent': userAgent } })
      const sessionId = hashSecret(await startSession(request, users[who], { ip }))
      const scanner = createScanner()
      const options = {
        maxValueChars: config.SECURITY_MAX_VALUE_CHARS,
        maxRequestChars: config.SECURITY_MAX_REQUEST_CHARS,
        richTextFields: new Set(config.SECURITY_RICH_TEXT_FIELDS),
      }
      for (const { method, target, body } of sent) {
        const form: RawBody | undefined = body === undefined ? undefined : { kind: 'form', text: body }
        const findings = scanner.scan(requestParts({ target, headers: { 'user-agent': userAgent }, body: form }), options)
        const blocks = config.SECURITY_MODE === 'block'
        await recordSecurityEvent(
          { ip, endpoint: `${method} ${splitTarget(target).path}`, traceId: randomUUID(), sessionId, organization: organization.slug },
          findings.map((finding) => ({ ...finding, blocked: blocks && finding.blockable && isBlocking(finding.severity) })),
        )
      }
      await endSession(user(who), sessionId)
    })

  const limits = effectiveLimits(config, RATE_LIMITS)
  const refused = (who: Person, at: Date, policy: 'user' | 'user-burst', endpoint: string) =>
    timeline.at(at, () =>
      recordRateLimitHit(as(who), {
        policy,
        endpoint,
        ...(policy === 'user'
          ? { quota: limits.userRequests, windowSeconds: config.RATE_LIMIT_WINDOW_MS / 1000 }
          : { quota: limits.userBurst, windowSeconds: config.RATE_LIMIT_BURST_WINDOW_MS / 1000 }),
      }),
    )

  // Three weeks ago: Dana founds the organization and lays it out.
  await timeline.at(daysAgo(24, '09:12'), () => signUp('owner'))
  organization = await timeline.at(daysAgo(24, '09:20'), () => createOrganization(user('owner'), { name: DEMO_ORGANIZATION }))
  try {
    await timeline.at(daysAgo(24, '09:26'), async () => {
      const general = (await findWorkspace(as('owner'), 'general'))!
      workspaces.engineering = await updateWorkspace(as('owner'), general.id, { ...WORKSPACES.engineering, slug: 'engineering' })
    })
    await timeline.at(daysAgo(24, '09:31'), async () => {
      workspaces.design = await createWorkspace(as('owner'), WORKSPACES.design)
    })
    await timeline.at(daysAgo(24, '09:34'), async () => {
      workspaces.marketing = await createWorkspace(as('owner'), WORKSPACES.marketing)
    })
    const auditor = await timeline.at(daysAgo(24, '09:48'), () =>
      createRole(as('owner'), owner, {
        name: 'Auditor',
        description: 'Compliance reviews: reads the audit log and nothing else.',
        permissions: ['audit:view'],
      }),
    )
    const lead = await timeline.at(daysAgo(24, '09:55'), () =>
      createRole(as('owner'), owner, {
        name: 'Project lead',
        description: 'Runs one project: edits, archives, deletes it.',
        permissions: ['project:view', 'project:update', 'project:delete'],
      }),
    )
    await invite('admin', 'owner', 'admin', daysAgo(23, '10:05'))
    await accept('admin', daysAgo(23, '14:31'))

    // Amara brings the team in and sets up the work.
    await invite('member', 'admin', 'member', daysAgo(22, '09:10'))
    await accept('member', daysAgo(22, '11:02'))
    await project('gateway', 'admin', daysAgo(22, '13:40'))
    await project('mobile', 'admin', daysAgo(22, '13:46'))
    await project('checkout', 'admin', daysAgo(22, '13:52'))
    await project('billing', 'admin', daysAgo(22, '14:03'))
    await invite('auditor', 'admin', auditor.key, daysAgo(21, '09:12'))
    await invite('suspended', 'admin', 'member', daysAgo(21, '09:14'))
    await accept('auditor', daysAgo(21, '16:20'))
    await accept('suspended', daysAgo(20, '08:45'))
    await project('system', 'admin', daysAgo(20, '10:15'))
    await project('brand', 'admin', daysAgo(20, '10:22'))
    await project('icons', 'admin', daysAgo(20, '10:25'))
    await project('website', 'admin', daysAgo(19, '15:00'))
    await project('campaign', 'admin', daysAgo(19, '15:04'))

    // Mateo leads the checkout work: Project lead of that one project, on top of his member role.
    await timeline.at(daysAgo(18, '09:30'), () => addGrant(as('owner'), owner, members.member!, { role: lead.key, projectId: projects.checkout.id }))
    await project('pipeline', 'member', daysAgo(18, '11:15'))
    await timeline.at(daysAgo(17, '16:40'), async () => {
      const { name, slug } = projects.checkout
      await updateProject(as('member'), projects.checkout.id, {
        name,
        slug,
        description: 'Fewer steps from cart to paid order: one page, saved cards, Apple Pay.',
      })
    })
    await project('onboarding', 'member', daysAgo(16, '10:05'))
    await timeline.at(daysAgo(15, '17:20'), () => setProjectStatus(as('admin'), projects.billing.id, 'archived'))

    // An invitation sent to the wrong address, taken back the next morning.
    const mistaken = await timeline.at(daysAgo(14, '12:00'), () =>
      createInvitation(as('admin'), admin, { email: 'contractor@acme-robotics.example', role: 'member' }),
    )
    await timeline.at(daysAgo(13, '08:55'), () => revokeInvitation(as('admin'), mistaken.id))
    await project('launch', 'member', daysAgo(12, '14:30'))
    await timeline.at(daysAgo(12, '15:10'), () => setProjectStatus(as('admin'), projects.icons.id, 'archived'))

    // Ines's role reads the log only: the workspaces page refuses her, and says so in the log.
    await denied('auditor', daysAgo(11, '09:03'), 'workspace:view', { type: 'organization', id: organization.id })
    await denied('member', daysAgo(10, '14:47'), 'project:delete', { type: 'project', id: projects.gateway.id })
    await timeline.at(daysAgo(9, '11:30'), () => setProjectStatus(as('owner'), projects.campaign.id, 'archived'))
    await timeline.at(daysAgo(8, '10:00'), () => saveRateLimitOverrides(as('owner'), RATE_LIMITS))

    // Sam probes the app from a script; the monitor blocks the attacks and Amara suspends him.
    const base = `/orgs/${organization.slug}`
    await requests('suspended', daysAgo(7, '22:14'), [
      { method: 'GET', target: `${base}/audit?action=${encodeURIComponent("x' OR '1'='1' --")}` },
      { method: 'GET', target: `${base}/workspaces/..%2F..%2F..%2Fetc%2Fpasswd` },
      { method: 'POST', target: `${base}/settings`, body: new URLSearchParams({ name: 'Acme; cat /etc/passwd' }).toString() },
    ])
    await timeline.at(daysAgo(6, '09:05'), () => setMemberStatus(as('admin'), admin, members.suspended!, 'suspended'))
    await denied('auditor', daysAgo(6, '10:12'), 'workspace:view', { type: 'organization', id: organization.id })

    // A script tag in a description is rich text: recorded, not blocked, and saved as text.
    const xss = 'Checklist: escape user input. Repro for the old bug: <script>alert(document.cookie)</script> must render as text.'
    await requests('member', daysAgo(5, '15:42'), [
      {
        method: 'POST',
        target: `${base}/workspaces/engineering/projects/checkout-redesign/edit`,
        body: new URLSearchParams({ description: xss }).toString(),
      },
    ])
    await timeline.at(daysAgo(5, '15:43'), async () => {
      const { name, slug } = projects.checkout
      await updateProject(as('member'), projects.checkout.id, { name, slug, description: xss })
    })
    await refused('auditor', daysAgo(4, '11:20'), 'user', 'GET /orgs/$org/audit')

    // Priya is invited and has not answered yet.
    await timeline.at(daysAgo(2, '16:10'), () => createInvitation(as('admin'), admin, { email: 'priya@acme-robotics.example', role: 'member' }))
    await denied('auditor', daysAgo(2, '16:45'), 'workspace:view', { type: 'organization', id: organization.id })

    // The last day: Mateo's dashboard script refreshes too fast.
    await refused('member', hoursAgo(20), 'user-burst', 'GET /orgs/$org/workspaces/engineering')
    await refused('member', hoursAgo(9), 'user-burst', 'GET /orgs/$org/workspaces/engineering')
    await refused('member', hoursAgo(3), 'user', 'GET /orgs/$org/workspaces/engineering/projects/checkout-redesign')

    await timeline.backdate(organization.id, Object.values(users))
  } catch (error) {
    // Half a demo would be mistaken for the whole one on the next start.
    await deleteOrganization(as('owner'), DEMO_ORGANIZATION).catch(() => {})
    throw error
  }
  return { name: DEMO_ORGANIZATION, slug: organization.slug }
}
