/**
 * Bad input, table-driven, against every operation that reads a body or an
 * id (taken from the OpenAPI document): wrong types, missing fields, huge
 * strings, odd unicode, nulls, malformed ids and queries. Each answer is a
 * 4xx envelope (never a 500) and nothing is written.
 */
import { beforeAll, describe, expect, test } from 'vitest'
import { apiCreateOrg, apiSignup, expectError, type ApiResponse, type ApiUser } from '../utils/api'
import { PASSWORD, uniqueEmail } from '../utils/app'
import { setupApp } from '../utils/fixture'
import { addMember } from '../utils/tenants'

// Hundreds of requests as one user: the rate limits have their own tests.
process.env.RATE_LIMIT_ENABLED = 'false'

const ctx = setupApp()
let owner: ApiUser
const ids = { orgId: '', wsId: '', projectId: '', memberId: '', roleId: '' }
interface Operation {
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> }
}
let bodyOperations: { method: string; template: string; schema: string; fields: string[] }[] = []
let idOperations: { method: string; template: string }[] = []

beforeAll(async () => {
  owner = await apiSignup(ctx.origin, 'Betty Badinput')
  ids.orgId = await apiCreateOrg(owner.client, 'Bad Input Org')
  const second = await owner.client.post(`/api/organizations/${ids.orgId}/workspaces`, { name: 'Second' })
  ids.wsId = second.body.data.id
  const project = await owner.client.post(`/api/organizations/${ids.orgId}/workspaces/${ids.wsId}/projects`, { name: 'Target' })
  ids.projectId = project.body.data.id
  // A second member: the owner may change their role (the owner's own membership is off limits).
  const { rows } = await ctx.admin.query(`insert into auth.users (email, name) values ($1, 'Second Member') returning id`, [uniqueEmail('second')])
  await addMember(ctx.admin, ids.orgId, rows[0].id, 'member')
  ids.memberId = (
    await ctx.admin.query('select id from organization_members where organization_id = $1 and user_id = $2', [ids.orgId, rows[0].id])
  ).rows[0].id
  // A custom role: built-in ones answer every change with 403 BUILTIN before reading the body.
  ids.roleId = (await owner.client.post(`/api/organizations/${ids.orgId}/roles`, { name: 'Custom', permissions: ['workspace:view'] })).body.data.id
  const document = (await owner.client.get('/api/openapi.json')).body as {
    paths: Record<string, Record<string, Operation>>
    components: { schemas: Record<string, { properties?: Record<string, unknown> }> }
  }
  const schemaName = (operation: Operation) => operation.requestBody?.content['application/json']?.schema.$ref?.split('/').pop() ?? ''
  const all = Object.entries(document.paths).flatMap(([template, item]) =>
    Object.entries(item).map(([method, operation]) => ({ method: method.toUpperCase(), template, schema: schemaName(operation) })),
  )
  bodyOperations = all
    .filter((op) => op.schema)
    .map((op) => ({ ...op, fields: Object.keys(document.components.schemas[op.schema]?.properties ?? {}) }))
  idOperations = all.filter((op) => op.template.includes('{'))
})

const fill = (template: string, values: Record<string, string> = ids) =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '00000000-0000-4000-8000-000000000000')

/** Everything a bad request could have touched. */
async function snapshot() {
  const { rows } = await ctx.admin.query(
    `select (select count(*) from auth.users) as users,
            (select count(*) from auth.sessions) as sessions,
            (select count(*) from organizations) as organizations,
            (select json_agg(o) from organizations o where id = $1) as org,
            (select json_agg(w order by id) from workspaces w where organization_id = $1) as workspaces,
            (select json_agg(p order by id) from projects p where organization_id = $1) as projects,
            (select json_agg(m order by id) from organization_members m where organization_id = $1) as members,
            (select json_agg(r order by id) from roles r where organization_id = $1) as roles,
            (select count(*) from invitations where organization_id = $1) as invitations,
            (select count(*) from audit_logs where organization_id = $1 and result = 'success') as audited`,
    [ids.orgId],
  )
  return rows[0]
}

function expectRefusal(response: ApiResponse, label: string) {
  expect(response.status, `${label}: ${response.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400)
  expect(response.status, label).toBeLessThan(500)
  expectError(response, response.status)
}

const long = (n: number) => 'x'.repeat(n)

/** A valid body per request schema: each bad-field case spoils exactly one field of it. */
const VALID: Record<string, () => Record<string, unknown>> = {
  SignupInput: () => ({ name: 'New Person', email: uniqueEmail('newcomer'), password: PASSWORD }),
  LoginInput: () => ({ email: owner.user.email, password: PASSWORD }),
  OrganizationInput: () => ({ name: 'Another Org' }),
  OrganizationPatch: () => ({ name: 'Bad Input Org' }),
  WorkspaceInput: () => ({ name: 'Fresh Workspace' }),
  WorkspacePatch: () => ({ description: 'fine' }),
  ProjectInput: () => ({ name: 'Fresh Project' }),
  ProjectPatch: () => ({ description: 'fine' }),
  InvitationInput: () => ({ email: uniqueEmail('invitee'), role: 'member' }),
  MemberRoleInput: () => ({ role: 'member' }),
  RoleInput: () => ({ name: `Role ${Math.random().toString(36).slice(2)}`, permissions: ['workspace:view'] }),
  RolePatch: () => ({ description: 'fine' }),
  MemberStatusInput: () => ({ status: 'active' }),
  GrantInput: () => ({ role: 'member', workspaceId: ids.wsId }),
  TransferOwnershipInput: () => ({ memberId: ids.memberId }),
  AuditRetentionInput: () => ({ days: 30 }),
}

/** One bad value for one field; sent to every operation whose body has that field. */
const BAD_FIELDS: [field: string, label: string, value: unknown][] = [
  ['name', 'a number', 123],
  ['name', 'a boolean', true],
  ['name', 'an array', ['a']],
  ['name', 'an object', { first: 'a' }],
  ['name', 'null', null],
  ['name', 'empty', ''],
  ['name', 'whitespace only', ' \t\n\u00a0'],
  ['name', 'huge', long(20_000)],
  ['name', 'with a NUL byte', 'nul\u0000byte'],
  ['email', 'null', null],
  ['email', 'not an address', 'not-an-email'],
  ['email', 'too long', `${long(250)}@example.test`],
  ['email', 'with a NUL byte', 'nul\u0000@example.test'],
  ['password', 'null', null],
  ['password', 'a number', 123456789012345],
  ['password', 'huge', long(2000)],
  ['slug', 'emoji', '🎉🎉'],
  ['slug', 'a path', '../../etc'],
  ['slug', 'too long', long(65)],
  ['slug', 'with spaces', 'two words'],
  ['slug', 'null', null],
  ['description', 'huge', long(5000)],
  ['description', 'a number', 42],
  ['icon', 'too long', long(20)],
  ['color', 'a colour name', 'red'],
  ['color', 'short hex', '#12345'],
  ['status', 'outside the enum', 'deleted'],
  ['status', 'a boolean', true],
  ['role', 'null', null],
  ['role', 'empty', ''],
  ['role', 'a number', 7],
  ['role', 'too long', long(100)],
  ['role', 'not a role of the organization', 'emperor'],
  ['permissions', 'a string', 'workspace:view'],
  ['permissions', 'numbers', [1, 2]],
  ['permissions', 'outside the catalog', ['root:everything']],
  ['permissions', 'too many', Array.from({ length: 101 }, () => 'workspace:view')],
]

/** Bodies that are not an object of fields at all; refused by every operation. */
const BAD_BODIES: { name: string; body: string }[] = [
  { name: 'null', body: 'null' },
  { name: 'an array', body: '[]' },
  { name: 'a string', body: '"name"' },
  { name: 'a number', body: '42' },
  { name: 'malformed JSON', body: '{"name": "unterminated' },
  { name: 'trailing garbage', body: '{"name": "ok"} trailing' },
  { name: 'duplicate keys, the last one bad', body: '{"name": "ok", "description": "ok", "email": "x", "name": ""}' },
  { name: 'deep nesting', body: `${'['.repeat(5000)}${']'.repeat(5000)}` },
]

describe('bodies', () => {
  test('the document lists operations with bodies, each with a known request schema', () => {
    expect(bodyOperations.length).toBeGreaterThanOrEqual(8)
    for (const op of bodyOperations) expect(Object.keys(VALID), `${op.method} ${op.template}`).toContain(op.schema)
  })

  test('each valid base body is accepted (so the refusals below are the bad field’s doing)', async () => {
    for (const op of bodyOperations.filter((o) => o.method === 'PATCH' || o.method === 'PUT')) {
      const response = await owner.client.request(op.method, fill(op.template), VALID[op.schema]!())
      expect(response.status, `${op.method} ${op.template}: ${response.text.slice(0, 200)}`).toBe(200)
    }
  })

  test.each(BAD_FIELDS)('%s %s → 4xx envelope naming it, nothing written', async (field, _label, value) => {
    const targets = bodyOperations.filter((op) => op.fields.includes(field))
    expect(targets.length).toBeGreaterThan(0)
    const before = await snapshot()
    for (const op of targets) {
      const response = await owner.client.request(op.method, fill(op.template), { ...VALID[op.schema]!(), [field]: value })
      expectRefusal(response, `${field}: ${op.method} ${op.template}`)
      if (response.status === 422) {
        const keys = Object.keys(response.body.error.details)
        expect(
          keys.some((key) => key === field || key.startsWith(`${field}.`)),
          `${op.method} ${op.template}: ${keys}`,
        ).toBe(true)
      }
    }
    expect(await snapshot()).toEqual(before)
  })

  test.each(BAD_BODIES)('a body that is $name → 4xx envelope on every operation, nothing written', async ({ body }) => {
    const before = await snapshot()
    for (const { method, template } of bodyOperations) {
      expectRefusal(await owner.client.request(method, fill(template), body), `${method} ${template}`)
    }
    expect(await snapshot()).toEqual(before)
  })

  test('missing fields: an empty object is refused wherever something is required', async () => {
    const targets = bodyOperations.filter((op) => op.method !== 'PATCH')
    expect(targets.length).toBeGreaterThan(0)
    const before = await snapshot()
    for (const { method, template } of targets) {
      const error = expectError(await owner.client.request(method, fill(template), {}), 422, 'VALIDATION_FAILED')
      expect(Object.keys(error.details).length, `${method} ${template}`).toBeGreaterThan(0)
    }
    expect(await snapshot()).toEqual(before)
  })

  test('bytes that are not UTF-8 are a 400', async () => {
    const before = await snapshot()
    const bytes = new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) // {"n":"\xff\xfe"}
    for (const { method, template } of bodyOperations) {
      const response = await owner.client.request(method, fill(template), undefined, { body: bytes, headers: { 'content-type': 'application/json' } })
      expectError(response, 400, 'MALFORMED_JSON')
    }
    expect(await snapshot()).toEqual(before)
  })

  test('a body sent as a form, as text or with no type is a 415', async () => {
    const before = await snapshot()
    for (const { method, template } of bodyOperations) {
      for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', '']) {
        const response = await owner.client.request(method, fill(template), undefined, {
          body: '{"name":"ok"}',
          headers: type ? { 'content-type': type } : {},
        })
        expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE')
      }
    }
    expect(await snapshot()).toEqual(before)
  })

  test('valid unicode is kept as sent', async () => {
    const name = 'Équipe 東京 🚀 Zoë'
    const created = await owner.client.post(`/api/organizations/${ids.orgId}/workspaces`, { name })
    expect(created.status).toBe(201)
    expect(created.body.data.name).toBe(name)
    expect(created.body.data.slug).toBe('equipe-東京-zoe')
  })
})

/** Ids that are not UUIDs, however they are dressed. */
const BAD_IDS = ['abc', '1', '-1', "1' or '1'='1", '00000000-0000-4000-8000-00000000000', `${long(300)}`, '%00', '%E2%9C%93', 'null', '%2e%2e%2f']

describe('ids', () => {
  test.each(BAD_IDS)('%s in any id position → 404 envelope, nothing written', async (bad) => {
    const before = await snapshot()
    for (const { method, template } of idOperations) {
      for (const param of template.match(/\{\w+\}/g) ?? []) {
        const path = fill(template.replace(param, bad))
        const response = await owner.client.request(method, path, method === 'GET' || method === 'DELETE' ? undefined : { name: 'ok' })
        expectRefusal(response, `${method} ${path}`)
        // The security monitor may refuse an attack-shaped path first (403 REQUEST_BLOCKED).
        const outcome = `${response.status} ${response.body.error.code}`
        expect(['404 NOT_FOUND', '400 BAD_REQUEST', '403 REQUEST_BLOCKED'], `${method} ${path}`).toContain(outcome)
      }
    }
    expect(await snapshot()).toEqual(before)
  })

  test('an upper-case UUID names the same resource', async () => {
    const response = await owner.client.get(`/api/organizations/${ids.orgId.toUpperCase()}/workspaces/${ids.wsId.toUpperCase()}`)
    expect(response.status).toBe(200)
    expect(response.body.data.id).toBe(ids.wsId)
  })
})

describe('queries', () => {
  const BAD_QUERIES = [
    'page=0',
    'page=-1',
    'page=1.5',
    'page=abc',
    'page=',
    'pageSize=0',
    'pageSize=101',
    'pageSize=1e9',
    'sort=drop%20table',
    'page=99999999999',
  ]
  test.each(BAD_QUERIES)('?%s → 400 naming the parameter', async (query) => {
    for (const path of [
      '/api/organizations',
      `/api/organizations/${ids.orgId}/workspaces`,
      `/api/organizations/${ids.orgId}/workspaces/${ids.wsId}/projects`,
      `/api/organizations/${ids.orgId}/audit-logs`,
    ]) {
      const response = await owner.client.get(`${path}?${query}`)
      const error = expectError(response, 400, 'INVALID_QUERY')
      expect(Object.keys(error.details)).toEqual([query.split('=')[0]])
    }
  })

  /** Filters of the audit log that are not valid: each a 400 naming the parameter. */
  const BAD_FILTERS: [query: string, param: string][] = [
    ['action=', 'action'],
    ['action=Workspace Created', 'action'],
    ['action=workspace..created', 'action'],
    ['action=.workspace', 'action'],
    ['action=%25', 'action'],
    ['action=workspace%00', 'action'],
    [`action=${long(101)}`, 'action'],
    ['action=r%C3%B4le.created', 'action'],
    ['resourceType=work space', 'resourceType'],
    ['resourceType=workspace.', 'resourceType'],
    ['userId=abc', 'userId'],
    ['userId=00000000-0000-4000-8000-00000000000', 'userId'],
    ['result=maybe', 'result'],
    ['result=SUCCESS', 'result'],
    ['from=2024-02-30', 'from'],
    ['from=0000-01-01', 'from'],
    ['from=0000-01-01T00:00:00Z', 'from'],
    ['from=yesterday', 'from'],
    ['to=2024-13-01', 'to'],
    ['to=1700000000', 'to'],
    ['to=2024-01-31T25:00:00Z', 'to'],
    ['from=2024-03-02&to=2024-03-01', 'to'],
    ['from=2024-03-01T10:00:00.000Z&to=2024-03-01T09:59:59.998Z', 'to'],
  ]
  test.each(BAD_FILTERS)('audit log ?%s → 400 naming %s', async (query, param) => {
    const error = expectError(await owner.client.get(`/api/organizations/${ids.orgId}/audit-logs?${query}`), 400, 'INVALID_QUERY')
    expect(Object.keys(error.details)).toEqual([param])
  })

  test('odd but valid audit log filters answer 200, never 500', async () => {
    const odd = [
      'from=0001-01-01&to=9999-12-31',
      'to=9999-12-31T23:59:59.999Z',
      'from=2025-01-31T09:30:00.123456789%2B14:00',
      'from=2024-03-01T10:00:00.000Z&to=2024-03-01T10:00:00.000Z',
      'action=A.&resourceType=X&result=error',
      `userId=${ids.wsId.toUpperCase()}`,
      'action=workspace.&action=nonsense',
      'unknown=ignored',
    ]
    for (const query of odd) {
      const response = await owner.client.get(`/api/organizations/${ids.orgId}/audit-logs?${query}`)
      expect(response.status, `${query}: ${response.text.slice(0, 200)}`).toBe(200)
    }
  })

  test('a page past the end is empty, with a way back', async () => {
    const response = await owner.client.get(`/api/organizations/${ids.orgId}/workspaces?page=50`)
    expect(response.status).toBe(200)
    expect(response.body.data).toEqual([])
    expect(response.body.links.prev).toContain('page=')
    expect(response.body.links.next).toBeUndefined()
  })
})

describe('headers', () => {
  test('odd Authorization headers are 401s, never 500s', async () => {
    for (const value of [
      'Bearer ' + long(5000),
      'Bearer \u00e9t\u00e9',
      'Bearer a b c',
      'bearer',
      'Token abc',
      'Bearer nsp_',
      `Bearer ${'%00'.repeat(10)}`,
    ]) {
      const response = await fetch(new URL('/api/organizations', ctx.origin), {
        headers: { authorization: Buffer.from(value, 'latin1').toString('latin1') },
      })
      const text = await response.text()
      expect(response.status, value.slice(0, 40)).toBe(401)
      expect(JSON.parse(text).error.code).toBe('UNAUTHORIZED')
    }
  })
})
