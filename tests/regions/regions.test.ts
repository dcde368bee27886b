/**
 * The multi-region data path on a real streaming replica: a PostgreSQL
 * primary and hot standby (Debian's binaries), the app in a primary region
 * and in a replica region as separate processes, and a front proxy that
 * follows `fly-replay` as Fly's router does (scripts/regions). Needs the
 * build (`npx remix build`).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRegions, type Regions } from '../../scripts/regions/apps'
import { postgresBinaries, startCluster, type Cluster } from '../../scripts/regions/cluster'
import { PASSWORD, uniqueEmail } from '../utils/app'
import { IN_CI } from '../utils/ci'

const binaries = postgresBinaries()
if (!binaries && !IN_CI) {
  console.warn("tests/regions skipped: Debian's PostgreSQL binaries (initdb, pg_basebackup) were not found; install postgresql or set PG_BIN_DIR")
}

/** A browser's cookie jar (every cookie by name) over fetch, never following redirects. */
class Browser {
  cookies = new Map<string, string>()
  constructor(readonly origin: string) {}

  async request(path: string, init: RequestInit = {}, origin = this.origin) {
    const headers = new Headers(init.headers)
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '))
    if (init.method && init.method !== 'GET') headers.set('origin', origin)
    const response = await fetch(new URL(path, origin), { ...init, headers, redirect: 'manual' })
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair] = setCookie.split(';')
      const name = pair!.slice(0, pair!.indexOf('='))
      const value = pair!.slice(name.length + 1)
      if (value && !/max-age=0/i.test(setCookie)) this.cookies.set(name, value)
      else this.cookies.delete(name)
    }
    return response
  }

  post(path: string, fields: Record<string, string>) {
    return this.request(path, { method: 'POST', body: new URLSearchParams(fields) })
  }
}

/** A JSON API caller that echoes the write position it was handed, as the README asks API clients to. */
class ApiCaller {
  position: string | null = null
  constructor(
    readonly origin: string,
    readonly token: string,
  ) {}

  async call(method: string, path: string, body?: unknown, origin = this.origin) {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` }
    if (body !== undefined) headers['content-type'] = 'application/json'
    if (this.position) headers['x-wal-position'] = this.position
    const response = await fetch(new URL(path, origin), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    this.position = response.headers.get('x-wal-position') ?? this.position
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever the API answered
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> }
  }
}

const servedBy = (response: { headers: Headers }) => response.headers.get('x-served-by') ?? ''

describe.runIf(binaries || IN_CI)('regions: a primary, a streaming standby, and fly-replay', () => {
  let cluster: Cluster
  let regions: Regions
  let primary: pg.Client
  let standby: pg.Client
  let api: ApiCaller
  let organizationId: string

  beforeAll(async () => {
    cluster = await startCluster()
    try {
      // A generous bound: the waiting test resumes replay while a request waits, on a busy 2-core machine.
      regions = await startRegions(cluster, { env: { LOG_LEVEL: 'warn', READ_YOUR_WRITES_WAIT_MS: '3000' } })
    } catch (error) {
      await cluster.stop()
      throw error
    }
    primary = new pg.Client({ connectionString: cluster.primaryUrl })
    standby = new pg.Client({ connectionString: cluster.standbyUrl })
    await Promise.all([primary.connect(), standby.connect()])
    // The 503 test stops the standby under this connection.
    standby.on('error', () => {})

    // Sign up and create an organization through the replica region's entrance: both are writes, replayed.
    const entrance = regions.replica.proxy.url
    const signup = await fetch(`${entrance}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Region Tester', email: uniqueEmail('region'), password: PASSWORD }),
    })
    expect(signup.status).toBe(201)
    api = new ApiCaller(entrance, ((await signup.json()) as { data: { token: string } }).data.token)
    api.position = signup.headers.get('x-wal-position')
    const created = await api.call('POST', '/api/organizations', { name: 'Regional Org' })
    expect(created.status).toBe(201)
    organizationId = created.body.data.id
  }, 120_000)

  afterAll(async () => {
    await Promise.all([primary?.end(), standby?.end()])
    await regions?.stop()
    await cluster?.stop()
  })

  it('serves reads in the replica region from the standby, through the app login named nextsaas-replica', async () => {
    const listed = await api.call('GET', `/api/organizations/${organizationId}/workspaces`)
    expect(listed.status).toBe(200)
    expect(servedBy(listed)).toMatch(/^region=iad; db=replica/)
    expect(listed.body.data.map((w: { name: string }) => w.name)).toEqual(['General'])
    const readers = await standby.query(`select count(*)::int as n from pg_stat_activity where application_name = 'nextsaas-replica'`)
    expect(readers.rows[0].n).toBeGreaterThan(0)
    const onPrimary = await primary.query(`select count(*)::int as n from pg_stat_activity where application_name = 'nextsaas-replica'`)
    expect(onPrimary.rows[0].n).toBe(0)
  })

  it('replays every write to the primary region before any work, and a client outside Fly learns why', async () => {
    const before = regions.replica.proxy.replays.get('ams') ?? 0
    const created = await api.call('POST', `/api/organizations/${organizationId}/workspaces`, { name: 'Written Far' })
    expect(created.status).toBe(201)
    expect(servedBy(created)).toBe('region=ams; db=primary')
    expect(regions.replica.proxy.replays.get('ams')).toBe(before + 1)
    const row = await primary.query('select 1 from workspaces where name = $1', ['Written Far'])
    expect(row.rowCount).toBe(1)

    // Straight to the replica region's app, as a client that is not behind Fly's proxy: 409 and the header.
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const direct = await api.call(
        method,
        `/api/organizations/${organizationId}/workspaces`,
        method === 'DELETE' ? undefined : {},
        regions.replica.origin,
      )
      expect(direct.status).toBe(409)
      expect(direct.headers.get('fly-replay')).toBe('region=ams')
      expect(direct.body.error).toMatchObject({ code: 'WRONG_REGION', details: { region: 'ams' }, traceId: expect.any(String) })
    }
    // A GET whose work writes (a mailed verification link) is replayed too, whatever its token.
    const link = await fetch(`${regions.replica.origin}/verify-email/${'x'.repeat(43)}`, { redirect: 'manual' })
    expect(link.status).toBe(409)
    expect(link.headers.get('fly-replay')).toBe('region=ams')
  })

  it('lets a person read their own write by waiting for the replica when it catches up within the bound', async () => {
    await cluster.pauseReplay()
    try {
      const created = await api.call('POST', `/api/organizations/${organizationId}/workspaces`, { name: 'Waited For' })
      expect(created.status).toBe(201)
      // The replica is behind: a read that does not present the position does not see the workspace.
      const stale = await fetch(`${regions.replica.origin}/api/organizations/${organizationId}/workspaces`, {
        headers: { authorization: `Bearer ${api.token}` },
      })
      expect(((await stale.json()) as { data: { name: string }[] }).data.map((w) => w.name)).not.toContain('Waited For')

      const read = api.call('GET', `/api/organizations/${organizationId}/workspaces`, undefined, regions.replica.origin)
      await sleep(300)
      await cluster.resumeReplay()
      const listed = await read
      expect(listed.status).toBe(200)
      expect(servedBy(listed)).toMatch(/^region=iad; db=replica; waited=\d+ms$/)
      expect(Number(/waited=(\d+)ms/.exec(servedBy(listed))![1])).toBeGreaterThanOrEqual(250)
      expect(listed.body.data.map((w: { name: string }) => w.name)).toContain('Waited For')
    } finally {
      await cluster.resumeReplay()
    }
  })

  it('replays the read to the primary when the replica stays behind, for a browser after a redirect too', async () => {
    const browser = new Browser(regions.replica.proxy.url)
    const email = uniqueEmail('browser')
    const signedUp = await browser.post('/signup', { name: 'Browser Person', email, password: PASSWORD })
    expect(signedUp.status).toBe(302)
    expect(browser.cookies.get('nextsaas_wal')).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/)
    const org = await browser.post('/orgs/new', { name: 'Browser Org' })
    expect(org.status).toBe(302)
    const orgPath = org.headers.get('location')!

    await cluster.pauseReplay()
    try {
      const made = await browser.post(`${orgPath}/workspaces/new`, { name: 'Paused Space', description: '' })
      expect(made.status).toBe(302)
      const shown = await browser.request(made.headers.get('location')!)
      expect(shown.status).toBe(200)
      expect(servedBy(shown)).toBe('region=ams; db=primary')
      expect(await shown.text()).toContain('Paused Space')
      // The replica had not replayed it: without the position, the replica region shows the workspace as missing.
      const withoutPosition = new Browser(regions.replica.origin)
      withoutPosition.cookies = new Map([...browser.cookies].filter(([name]) => name !== 'nextsaas_wal'))
      const stale = await withoutPosition.request(made.headers.get('location')!)
      expect(servedBy(stale)).toMatch(/^region=iad; db=replica/)
      expect(stale.status).toBe(404)
    } finally {
      await cluster.resumeReplay()
    }
  }, 60_000)

  it('sends the writes a read makes to the primary: an ended session, a security finding, a session touch, a denial', async () => {
    const count = async (query: string, values: unknown[] = []) => (await primary.query(query, values)).rows[0].n as number
    const events = 'select coalesce(sum(count), 0)::int as n from security_events'
    const eventsBefore = await count(events)
    const bogus = await fetch(`${regions.replica.proxy.url}/orgs`, { headers: { cookie: `nextsaas_session=${'a'.repeat(43)}` }, redirect: 'manual' })
    expect(servedBy(bogus)).toMatch(/^region=iad; db=replica/)
    const probe = await fetch(`${regions.replica.proxy.url}/orgs?q=${encodeURIComponent("' union select password from users --")}`, {
      redirect: 'manual',
    })
    expect(servedBy(probe)).toMatch(/^region=iad/)
    await expect.poll(() => count(events), { timeout: 10_000 }).toBeGreaterThan(eventsBefore)

    // A session last seen two minutes ago is touched after a read in the replica region: on the primary.
    const person = new Browser(regions.replica.proxy.url)
    expect((await person.post('/signup', { name: 'Touched Person', email: uniqueEmail('touch'), password: PASSWORD })).status).toBe(302)
    const org = await person.post('/orgs/new', { name: 'Suspended Soon' })
    const orgPath = org.headers.get('location')!
    const slug = orgPath.split('/').pop()!
    await primary.query(
      `update auth.sessions set last_seen_at = now() - interval '2 minutes' where user_id = (select id from auth.users where name = 'Touched Person')`,
    )
    // Suspended: asking for the new-workspace form is a denial, audited.
    await primary.query(`update organizations set status = 'suspended' where slug = $1`, [slug])
    await sleep(500)
    person.cookies.delete('nextsaas_wal')
    const page = await person.request(orgPath)
    expect(page.status).toBe(200)
    expect(servedBy(page)).toMatch(/^region=iad; db=replica/)
    const touched = `select count(*)::int as n from auth.sessions s join auth.users u on u.id = s.user_id
                     where u.name = 'Touched Person' and s.last_seen_at > now() - interval '1 minute'`
    await expect.poll(() => count(touched), { timeout: 10_000 }).toBe(1)

    const denied = await person.request(`${orgPath}/workspaces/new`)
    expect(denied.status).toBe(403)
    expect(servedBy(denied)).toMatch(/^region=iad; db=replica/)
    const audited = `select count(*)::int as n from audit_logs a join organizations o on o.id = a.organization_id
                     where o.slug = $1 and a.action = 'permission.denied' and a.result = 'failure'`
    expect(await count(audited, [slug])).toBe(1)
  }, 60_000)

  it('never tries to write on the standby', async () => {
    // Everything above ran through the replica region; the standby refuses a write with "read-only transaction".
    expect(cluster.standbyLog()).not.toMatch(/read-only transaction/)
    expect(cluster.standbyLog()).not.toMatch(/cannot execute/)
  })

  it('answers a clear 503 in the replica region while its standby is down, never a stale or failing page', async () => {
    const person = new Browser(regions.replica.proxy.url)
    expect((await person.post('/signup', { name: 'Down Person', email: uniqueEmail('down'), password: PASSWORD })).status).toBe(302)
    await sleep(1000) // past the read-your-writes position, so that nothing is replayed for it
    await cluster.stopStandby()
    try {
      person.cookies.delete('nextsaas_wal')
      const page = await person.request('/orgs')
      expect(page.status).toBe(503)
      expect(page.headers.get('retry-after')).toBe('5')
      expect(await page.text()).toMatch(/Temporarily unavailable.*This region&#39;s database is not answering/s)
      const listed = await api.call('GET', `/api/organizations/${organizationId}/workspaces`)
      expect(listed.status).toBe(503)
      expect(listed.body.error.code).toBe('UNAVAILABLE')
      // Fly's proxy stops routing to the machine: its readiness names the replica.
      const readiness = await fetch(`${regions.replica.origin}/readyz`)
      expect(readiness.status).toBe(503)
      expect(((await readiness.json()) as { failing: string[] }).failing).toEqual(expect.arrayContaining(['database', 'replica_lag']))
      // The primary region still serves.
      const elsewhere = await api.call('GET', `/api/organizations/${organizationId}/workspaces`, undefined, regions.primary.proxy.url)
      expect(elsewhere.status).toBe(200)
    } finally {
      await cluster.startStandby()
    }
  }, 60_000)
})
