/**
 * A valid session cookie used from another client than the one that signed
 * in is recorded as suspicious activity, once per change, in the log of the
 * organization the request was about. Behind a trusted proxy, so that each
 * browser speaks from its own address (events are aggregated per IP).
 */
import { expect, test } from 'vitest'
import { Client, PASSWORD, uniqueEmail } from '../utils/app'
import { setupApp } from '../utils/fixture'

const CHROME_WINDOWS = (version: number) =>
  `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${version}.0.0.0 Safari/537.36`
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'

const ctx = setupApp({ TRUST_PROXY: 1 })

let ipCounter = 0
/** A browser with a fixed user agent, at an address of its own. */
/** A browser with this user agent, at an address of its own (behind the trusted proxy). */
const browser = (userAgent: string) =>
  new Client(ctx.origin, { 'user-agent': userAgent, 'x-forwarded-for': `198.19.${process.pid % 250}.${++ipCounter}` })

/** An owner signed in with `userAgent`, and their organization. */
async function ownerWithOrganization(userAgent: string) {
  const owner = browser(userAgent)
  const email = uniqueEmail('client')
  expect((await owner.post('/signup', { name: 'Client Owner', email, password: PASSWORD })).status).toBe(302)
  const created = await owner.post('/orgs/new', { name: 'Client Org' })
  expect(created.status).toBe(302)
  const slug = created.headers.get('location')!.split('/').pop()!
  const { rows } = await ctx.admin.query('select o.id as org, u.id as "user" from organizations o, auth.users u where o.slug = $1 and u.email = $2', [
    slug,
    email,
  ])
  return { owner, slug, ids: rows[0] as { org: string; user: string } }
}

async function clientChanges(organizationId: string) {
  const { rows } = await ctx.admin.query(
    `select type, severity, count, blocked, sample, user_id, host(ip_address) as ip from security_events
     where organization_id = $1 and rule_id = 'session-client-changed'`,
    [organizationId],
  )
  return rows
}

test('a session cookie used from another browser and system is recorded once, in the organization’s log', async () => {
  const { owner, slug, ids } = await ownerWithOrganization(CHROME_WINDOWS(131))
  const thief = Object.assign(browser(FIREFOX_LINUX), { cookie: owner.cookie })
  for (const path of [`/orgs/${slug}`, `/orgs/${slug}`, `/orgs/${slug}/workspaces/new`]) {
    expect((await thief.get(path)).status).toBe(200)
  }
  // The owner goes on after a browser update: the same client.
  owner.headers['user-agent'] = CHROME_WINDOWS(132)
  expect((await owner.get(`/orgs/${slug}`)).status).toBe(200)

  expect(await clientChanges(ids.org)).toEqual([
    {
      type: 'SUSPICIOUS_ACTIVITY',
      severity: 'MEDIUM',
      count: 1,
      blocked: false,
      sample: 'signed in with Chrome on Windows, now used from Firefox on Linux',
      user_id: ids.user,
      ip: thief.headers['x-forwarded-for'],
    },
  ])
  const page = await owner.get(`/orgs/${slug}/security`)
  expect(page.status).toBe(200)
  // One row in the events table (the page's data repeats it in a script).
  expect((await page.text()).match(/>session-client-changed</g)).toHaveLength(1)
})

test('each further change of client is recorded again; going back to the signed-in client is not', async () => {
  const { owner, slug, ids } = await ownerWithOrganization(CHROME_WINDOWS(131))
  const thief = Object.assign(browser(FIREFOX_LINUX), { cookie: owner.cookie })
  await thief.get(`/orgs/${slug}`)
  thief.headers['user-agent'] = 'curl/8.5.0'
  await thief.get(`/orgs/${slug}`)
  await thief.get(`/orgs/${slug}`)
  await owner.get(`/orgs/${slug}`)
  expect(await clientChanges(ids.org)).toEqual([expect.objectContaining({ count: 2 })])
})

test('a session used from the client that signed in records nothing', async () => {
  const { owner, slug, ids } = await ownerWithOrganization(FIREFOX_LINUX)
  for (let i = 0; i < 3; i++) expect((await owner.get(`/orgs/${slug}`)).status).toBe(200)
  // The same browser from another address (a phone moving between networks) is the same client.
  const elsewhere = Object.assign(browser(FIREFOX_LINUX), { cookie: owner.cookie })
  expect((await elsewhere.get(`/orgs/${slug}`)).status).toBe(200)
  expect(await clientChanges(ids.org)).toEqual([])
  const { rows } = await ctx.admin.query(`select count(*)::int as n from security_events where user_id = $1 and rule_id = 'session-client-changed'`, [
    ids.user,
  ])
  expect(rows[0].n).toBe(0)
})
