import { request as httpRequest } from 'node:http'
import { describe, expect, test } from 'vitest'
import type { Config } from '~/lib/config.server'
import { Client, createOrg, PASSWORD, signedUpClient, startApp, uniqueEmail } from '../utils/app'
import { setupApp } from '../utils/fixture'
import { addMember } from '../utils/tenants'

/**
 * The monitor in the real HTTP pipeline (real Remix build, real database).
 * The app trusts X-Forwarded-For here so that each test speaks from its own
 * IP: events are aggregated per IP × rule × minute.
 */
function startMonitoredApp(overrides: Partial<Config> = {}) {
  return startApp({ TRUST_PROXY: 1, ...overrides })
}

const ctx = setupApp({ TRUST_PROXY: 1 })

let ipCounter = 0
/** A client speaking from an IP no other test uses. */
function clientFrom(origin = ctx.origin) {
  const ip = `198.51.${process.pid % 250}.${++ipCounter}`
  return Object.assign(new Client(origin, { 'x-forwarded-for': ip }), { ip })
}

async function eventsFrom(ip: string) {
  const { rows } = await ctx.admin.query(
    `select rule_id, type, severity, location, sample, count, blocked, details, organization_id, user_id, endpoint
     from security_events where ip_address = $1 order by rule_id`,
    [ip],
  )
  return rows
}

/** A raw HTTP/1.1 request, so that the target reaches the server exactly as written. */
function rawGet(target: string, headers: Record<string, string> = {}) {
  const { hostname, port } = new URL(ctx.origin)
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path: target, method: 'GET', headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('blocking', () => {
  test('an injection in the query string is refused with a page that quotes the traceId', async () => {
    const client = clientFrom()
    const response = await client.get(`/login?redirectTo=${encodeURIComponent("x' OR '1'='1' --")}`)
    expect(response.status).toBe(403)
    const html = await response.text()
    expect(html).toContain('refused')
    expect(html).toContain(response.headers.get('x-request-id')!)
    const [event] = await eventsFrom(client.ip)
    expect(event).toMatchObject({ type: 'SQL_INJECTION', location: 'query', blocked: true, count: 1, endpoint: 'GET /login' })
    expect(event.details).toMatchObject({ field: 'redirectTo', trace_id: response.headers.get('x-request-id') })
    expect(event.sample).toContain("OR '1'='1'")
  })

  test('under /api/ the refusal is the JSON error envelope', async () => {
    const client = clientFrom()
    const response = await client.request('/api/organizations', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Acme', settings: { theme: { '<script>alert(1)</script>': true } } }),
    })
    expect(response.status).toBe(403)
    expect(await response.json()).toEqual({
      error: { code: 'REQUEST_BLOCKED', message: expect.any(String), details: {}, traceId: response.headers.get('x-request-id') },
    })
    expect((await eventsFrom(client.ip)).map((e) => e.rule_id)).toContain('xss-script-tag')
  })

  test('a blocked request reaches no route: the sign-up it carried creates nothing', async () => {
    const client = clientFrom()
    const email = uniqueEmail('blocked')
    const before = await ctx.admin.query(`select (select count(*) from auth.users) as users, (select count(*) from auth.sessions) as sessions,
      (select count(*) from audit_logs) as audits`)
    const response = await client.post('/signup', { name: "Robert'); DROP TABLE users;--", email, password: PASSWORD })
    expect(response.status).toBe(403)
    expect(response.headers.get('set-cookie')).toBeNull()
    // The page is the monitor's own: Remix pages carry the trace id in a meta tag.
    expect(await response.text()).not.toContain('<meta name="trace-id"')
    const after = await ctx.admin.query(`select (select count(*) from auth.users) as users, (select count(*) from auth.sessions) as sessions,
      (select count(*) from audit_logs) as audits`)
    expect(after.rows[0]).toEqual(before.rows[0])
    expect((await ctx.admin.query('select 1 from auth.users where email = $1', [email])).rowCount).toBe(0)
    expect((await eventsFrom(client.ip)).length).toBeGreaterThan(0)
  })

  test('the raw path is inspected before anything resolves /../', async () => {
    const ip = `198.51.${process.pid % 250}.${++ipCounter}`
    const response = await rawGet('/build/../../../etc/passwd', { 'x-forwarded-for': ip })
    expect(response.status).toBe(403)
    const rules = (await eventsFrom(ip)).map((e) => e.rule_id)
    expect(rules).toEqual(expect.arrayContaining(['traversal-dot-dot', 'traversal-secret-file']))
  })

  test('headers and cookies are inspected', async () => {
    const viaHeader = clientFrom()
    expect((await viaHeader.get('/', { headers: { 'user-agent': 'Mozilla/5.0 <script>alert(1)</script>' } })).status).toBe(403)
    const viaCookie = clientFrom()
    expect((await viaCookie.get('/', { headers: { cookie: `prefs=${encodeURIComponent('1 UNION SELECT password FROM users')}` } })).status).toBe(403)
    expect((await eventsFrom(viaHeader.ip))[0]).toMatchObject({ location: 'header', details: { field: 'user-agent' } })
    expect((await eventsFrom(viaCookie.ip))[0]).toMatchObject({ location: 'cookie', details: { field: 'prefs' } })
  })

  test('parameter names are inspected too', async () => {
    const client = clientFrom()
    expect((await client.get('/login?user[$ne]=x')).status).toBe(403)
    expect((await eventsFrom(client.ip))[0]).toMatchObject({ rule_id: 'sqli-nosql-operator', details: { in_name: true } })
  })
})

describe('what passes', () => {
  test('a form with quotes, angle brackets and SQL-like English works as before and leaves no event', async () => {
    const client = clientFrom()
    const name = `O'Brien <3 "select the best" & drop me a line; 1 = 1`
    const response = await client.post('/signup', { name, email: uniqueEmail('obrien'), password: PASSWORD })
    expect(response.status).toBe(302)
    const { rows } = await ctx.admin.query(
      'select u.name from auth.users u join auth.sessions s on s.user_id = u.id where s.id is not null and u.name = $1',
      [name],
    )
    expect(rows).toHaveLength(1)
    expect(await eventsFrom(client.ip)).toEqual([])
  })

  test('a form that fails validation still gets its body back (the monitor read it first)', async () => {
    const client = clientFrom()
    const response = await client.post('/signup', { name: 'Grace <Hopper>', email: 'not-an-email', password: 'short' })
    expect(response.status).toBe(422)
    expect(await response.text()).toContain('value="Grace &lt;Hopper&gt;"')
  })

  test('code in a rich-text field is recorded, not blocked', async () => {
    const client = clientFrom()
    const response = await client.post('/signup', {
      name: 'Rich Text',
      email: uniqueEmail('rich'),
      password: PASSWORD,
      description: '<script src="https://cdn.example.com/widget.js"></script>',
    })
    expect(response.status).toBe(302)
    const events = await eventsFrom(client.ip)
    expect(events.find((e) => e.rule_id === 'xss-script-tag')).toMatchObject({
      severity: 'CRITICAL',
      blocked: false,
      details: { field: 'description' },
    })
    expect(events.every((e) => !e.blocked)).toBe(true)
  })

  test('in monitor mode nothing is blocked and everything is recorded', async () => {
    const monitorOnly = await startMonitoredApp({ SECURITY_MODE: 'monitor' })
    try {
      const client = clientFrom(monitorOnly.origin)
      const response = await client.get(`/login?q=${encodeURIComponent("' or 1=1--")}`)
      expect(response.status).toBe(200)
      expect((await eventsFrom(client.ip))[0]).toMatchObject({ type: 'SQL_INJECTION', blocked: false })
    } finally {
      await monitorOnly.close()
    }
  })

  test('a body of another type is passed on and reported as not inspected', async () => {
    const client = clientFrom()
    const response = await client.request('/healthz', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' })
    expect(response.status).not.toBe(403)
    expect((await eventsFrom(client.ip))[0]).toMatchObject({ rule_id: 'uninspected-body', severity: 'LOW' })
  })

  test('a body without Content-Length (chunked) is inspected and still reaches the route', async () => {
    const chunked = (text: string) =>
      new ReadableStream({
        start(controller) {
          if (text) controller.enqueue(new TextEncoder().encode(text))
          controller.close()
        },
      })
    const post = (client: ReturnType<typeof clientFrom>, text: string) =>
      client.request('/signup', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: chunked(text),
        duplex: 'half',
      } as RequestInit)
    const benign = clientFrom()
    const form = new URLSearchParams({ name: 'Chunked Sender', email: uniqueEmail('chunked'), password: PASSWORD }).toString()
    expect((await post(benign, form)).status).toBe(302)
    const attacker = clientFrom()
    expect((await post(attacker, `name=${encodeURIComponent("x' or 1=1--")}&email=a%40b.c`)).status).toBe(403)
    // An empty body of unknown length ends its stream at once: the route must still get its (empty) form.
    expect((await post(clientFrom(), '')).status).toBe(422)
  })

  test('a JSON body is read back by the API after inspection', async () => {
    const response = await clientFrom().request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: "o'brien@example.com", password: 'wrong password here' }),
    })
    // Wrong credentials, not a blocked request nor an unreadable body.
    expect(response.status).toBe(401)
    expect((await response.json()).error.code).not.toBe('MALFORMED_JSON')
  })
})

describe('bounds', () => {
  test('a value past the inspection bound is recorded as uninspected, not silently passed', async () => {
    const small = await startMonitoredApp({ SECURITY_MAX_VALUE_CHARS: 1024 })
    try {
      const client = clientFrom(small.origin)
      const padded = `${'a'.repeat(2000)}' OR 1=1 --`
      const response = await client.post('/login', { email: 'someone@example.com', password: PASSWORD, note: padded })
      expect(response.status).not.toBe(403)
      expect((await eventsFrom(client.ip)).map((e) => e.rule_id)).toContain('uninspected-value')
    } finally {
      await small.close()
    }
  })

  test('a request past the per-request bound is recorded as uninspected', async () => {
    const small = await startMonitoredApp({ SECURITY_MAX_REQUEST_CHARS: 4096 })
    try {
      const client = clientFrom(small.origin)
      const fields = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`f${i}`, 'x'.repeat(40)]))
      await client.post('/login', fields)
      expect((await eventsFrom(client.ip)).map((e) => e.rule_id)).toContain('uninspected-request')
    } finally {
      await small.close()
    }
  })
})

describe('recording', () => {
  test('repeats from one IP within a minute are one row with a count', async () => {
    const client = clientFrom()
    for (let i = 0; i < 3; i++) await client.get('/login?file=../../etc/shadow')
    const events = await eventsFrom(client.ip)
    expect(events.find((e) => e.rule_id === 'traversal-secret-file')).toMatchObject({ count: 3, blocked: true })
  })

  test('a member probing inside their organization is attributed to the user and the organization', async () => {
    const member = await signedUpClient(ctx.origin, 'Prober Member')
    const slug = await createOrg(member, 'Probed Org')
    const ip = `198.51.${process.pid % 250}.${++ipCounter}`
    const response = await member.get(`/orgs/${slug}?q=${encodeURIComponent('<svg/onload=alert(1)>')}`, { headers: { 'x-forwarded-for': ip } })
    expect(response.status).toBe(403)
    const [event] = await eventsFrom(ip)
    const { rows } = await ctx.admin.query(
      'select o.id as organization_id, u.id as user_id from organizations o, auth.users u where o.slug = $1 and u.email = $2',
      [slug, member.email],
    )
    expect(event).toMatchObject(rows[0])
  })

  test('over HTTPS the session is found under its __Host- cookie, as the app names it there', async () => {
    const member = await signedUpClient(ctx.origin, 'Secure Prober')
    const ip = `198.51.${process.pid % 250}.${++ipCounter}`
    const secureCookie = member.cookie.replace(/^nextsaas_session=/, '__Host-nextsaas_session=')
    const response = await new Client(ctx.origin).get(`/login?q=${encodeURIComponent('<svg/onload=alert(1)>')}`, {
      headers: { 'x-forwarded-for': ip, 'x-forwarded-proto': 'https', cookie: secureCookie },
    })
    expect(response.status).toBe(403)
    const [event] = await eventsFrom(ip)
    const { rows } = await ctx.admin.query('select id from auth.users where email = $1', [member.email])
    expect(event.user_id).toBe(rows[0].id)
  })

  test('a stranger naming someone else’s organization does not write into its log', async () => {
    const owner = await signedUpClient(ctx.origin, 'Owner Target')
    const slug = await createOrg(owner, 'Target Org')
    const stranger = await signedUpClient(ctx.origin, 'Stranger Prober')
    const ip = `198.51.${process.pid % 250}.${++ipCounter}`
    await stranger.get(`/orgs/${slug}?q=${encodeURIComponent('<svg/onload=alert(1)>')}`, { headers: { 'x-forwarded-for': ip } })
    const [event] = await eventsFrom(ip)
    expect(event.organization_id).toBeNull()
    expect(event.user_id).not.toBeNull()
  })

  test('findings are counted by type and severity for the metrics endpoint', async () => {
    const before = ctx.app.services.securityCounters.snapshot()
    await clientFrom().get('/login?q=%3Cscript%3E')
    const after = ctx.app.services.securityCounters.snapshot()
    const xss = (c: typeof before) => c.findings.find((f) => f.type === 'XSS_ATTEMPT' && f.severity === 'CRITICAL')!.count
    expect(xss(after)).toBe(xss(before) + 1)
    expect(after.requestsBlocked).toBe(before.requestsBlocked + 1)
  })
})

describe('suspicious activity', () => {
  /** Response-based findings are written after the response: wait for them. */
  async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const value = await read()
      if (done(value)) return value
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    return read()
  }

  test('one IP walking organization slugs it cannot see (a burst of 404s) is recorded', async () => {
    const prober = await signedUpClient(ctx.origin, 'Slug Walker')
    const ip = `198.51.${process.pid % 250}.${++ipCounter}`
    for (let i = 0; i < 20; i++) {
      expect((await prober.get(`/orgs/not-mine-${i}`, { headers: { 'x-forwarded-for': ip } })).status).toBe(404)
    }
    const events = await eventually(
      () => eventsFrom(ip),
      (rows) => rows.length > 0,
    )
    expect(events).toEqual([expect.objectContaining({ rule_id: 'probe-burst', type: 'SUSPICIOUS_ACTIVITY', blocked: false })])
  })

  test('repeated permission denials from one IP are recorded', async () => {
    const owner = await signedUpClient(ctx.origin, 'Denial Owner')
    const slug = await createOrg(owner, 'Denial Org')
    const member = await signedUpClient(ctx.origin, 'Denied Member')
    const ids = await ctx.admin.query('select o.id as org, u.id as "user" from organizations o, auth.users u where o.slug = $1 and u.email = $2', [
      slug,
      member.email,
    ])
    await addMember(ctx.admin, ids.rows[0].org, ids.rows[0].user, 'member')
    const ip = `198.51.${process.pid % 250}.${++ipCounter}`
    for (let i = 0; i < 10; i++) {
      expect((await member.get(`/orgs/${slug}/security`, { headers: { 'x-forwarded-for': ip } })).status).toBe(403)
    }
    const events = await eventually(
      () => eventsFrom(ip),
      (rows) => rows.length > 0,
    )
    expect(events).toEqual([
      expect.objectContaining({ rule_id: 'permission-denials', severity: 'HIGH', blocked: false, organization_id: ids.rows[0].org }),
    ])
  })
})

describe('multipart bodies', () => {
  const post = (client: ReturnType<typeof clientFrom>, body: FormData | string, contentType?: string) =>
    client.request('/signup', { method: 'POST', body, headers: contentType ? { 'content-type': contentType } : {} })
  const form = (fields: Record<string, string | File>) => {
    const data = new FormData()
    for (const [name, value] of Object.entries(fields)) data.append(name, value)
    return data
  }

  test('an injection in a multipart field is refused', async () => {
    const client = clientFrom()
    const email = uniqueEmail('multipart-attack')
    const response = await post(client, form({ name: "x' OR '1'='1' --", email, password: PASSWORD }))
    expect(response.status).toBe(403)
    expect((await ctx.admin.query('select 1 from auth.users where email = $1', [email])).rowCount).toBe(0)
    expect((await eventsFrom(client.ip)).find((e) => e.type === 'SQL_INJECTION')).toMatchObject({
      location: 'body',
      blocked: true,
      details: { field: 'name' },
    })
  })

  test('a benign multipart form works as before and leaves no event', async () => {
    const client = clientFrom()
    const name = `O'Brien <3 "select the best"`
    const response = await post(client, form({ name, email: uniqueEmail('multipart'), password: PASSWORD }))
    expect(response.status).toBe(302)
    expect((await ctx.admin.query('select 1 from auth.users where name = $1', [name])).rowCount).toBeGreaterThan(0)
    expect(await eventsFrom(client.ip)).toEqual([])
  })

  test('a filename is inspected; a file’s content is not, and that is recorded', async () => {
    const traversal = clientFrom()
    const attack = await post(traversal, form({ name: 'Uploader', avatar: new File(['x'], '../../../etc/passwd') }))
    expect(attack.status).toBe(403)
    expect((await eventsFrom(traversal.ip)).map((e) => e.rule_id)).toContain('traversal-secret-file')

    const uploader = clientFrom()
    const content = new File(["' OR 1=1 -- <script>alert(1)</script>"], 'notes.txt', { type: 'text/plain' })
    const response = await post(uploader, form({ name: 'Uploader', email: uniqueEmail('upload'), password: PASSWORD, avatar: content }))
    expect(response.status).toBe(302)
    expect(await eventsFrom(uploader.ip)).toEqual([
      expect.objectContaining({ rule_id: 'uninspected-file', severity: 'LOW', blocked: false, sample: 'contents of 1 file not scanned' }),
    ])
  })

  test('a part is read as the app reads it: base64-encoded payloads are decoded first', async () => {
    const client = clientFrom()
    const boundary = 'monitor-boundary-4f9a2c7e1b'
    const encoded = Buffer.from("x' OR '1'='1' --").toString('base64')
    const body =
      `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\nContent-Transfer-Encoding: base64\r\n\r\n${encoded}\r\n` +
      `--${boundary}--\r\n`
    const response = await post(client, body, `multipart/form-data; boundary=${boundary}`)
    expect(response.status).toBe(403)
    expect((await eventsFrom(client.ip)).find((e) => e.type === 'SQL_INJECTION')).toMatchObject({ details: { field: 'name' } })
  })

  test('a multipart body no parser can read is still looked at as text', async () => {
    const client = clientFrom()
    const response = await post(
      client,
      `--b\r\nContent-Disposition: form-data; name="q"\r\n\r\n1 UNION SELECT password FROM users`,
      'multipart/form-data; boundary=b',
    )
    expect(response.status).toBe(403)
    expect((await eventsFrom(client.ip)).map((e) => e.rule_id)).toContain('sqli-union-select')
  })
})
