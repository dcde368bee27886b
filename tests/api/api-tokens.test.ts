/**
 * Personal access tokens: made on the account page (without JavaScript, as
 * plain form posts), shown once, stored hashed, and never worth more than
 * their scope and their owner's role allow.
 */
import { createHash } from 'node:crypto'
import { beforeAll, describe, expect, test } from 'vitest'
import { createWorkspace, findWorkspaceById } from '~/models/workspace.server'
import { ApiClient, apiCreateOrg, expectData, expectError } from '../utils/api'
import { Client, createOrg, signedUpClient } from '../utils/app'
import { setupApp } from '../utils/fixture'
import { addMember } from '../utils/tenants'

const ctx = setupApp()
let browser: Client & { email: string }
let userId: string
let orgA: string
let orgB: string
let api: ApiClient

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

beforeAll(async () => {
  api = new ApiClient(ctx.origin)
  browser = await signedUpClient(ctx.origin, 'Tess Tokens')
  userId = (await ctx.admin.query('select id from auth.users where email = $1', [browser.email])).rows[0].id
  const slugA = await createOrg(browser, 'Token Org A')
  const slugB = await createOrg(browser, 'Token Org B')
  const ids = await ctx.admin.query('select id, slug from organizations where slug = any($1)', [[slugA, slugB]])
  orgA = ids.rows.find((r) => r.slug === slugA).id
  orgB = ids.rows.find((r) => r.slug === slugB).id
})

/** Creates a token through the page, as a browser without JavaScript would; returns it and the page. */
async function createToken(fields: Record<string, string | string[]>) {
  const body = new URLSearchParams({ intent: 'create', expiresIn: '30' })
  for (const [key, value] of Object.entries(fields)) {
    body.delete(key)
    for (const v of [value].flat()) body.append(key, v)
  }
  const response = await browser.request('/account/tokens', { method: 'POST', body })
  const html = await response.text()
  const token = /value="(nsp_[\w-]+)"/.exec(html)?.[1]
  return { response, html, token }
}

describe('the tokens page', () => {
  test('creates a token, shows it once, stores only its hash', async () => {
    const { response, html, token } = await createToken({ name: 'CI deploy' })
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(token).toMatch(/^nsp_[\w-]{43}$/)
    expect(html).toContain('it will not be shown again')
    const rows = await ctx.admin.query('select * from auth.api_tokens where user_id = $1 and name = $2', [userId, 'CI deploy'])
    expect(rows.rows).toHaveLength(1)
    expect(rows.rows[0].token_hash).toBe(sha256(token!))
    expect(JSON.stringify(rows.rows)).not.toContain(token!.slice(4))
    const later = await (await browser.get('/account/tokens')).text()
    expect(later).toContain('CI deploy')
    expect(later).not.toContain(token!)
    const audit = await ctx.admin.query(`select count(*)::int as n from audit_logs where user_id = $1 and action = 'api_token.created'`, [userId])
    expect(audit.rows[0].n).toBeGreaterThan(0)
  })

  test('bad input is a 422 that keeps what was typed', async () => {
    const { response, html, token } = await createToken({ name: '', expiresIn: 'forever', permissions: ['workspace:view', 'root:everything'] })
    expect(response.status).toBe(422)
    expect(token).toBeUndefined()
    expect(html).toContain('Name is required')
    expect(html).toContain('Choose when the token expires')
    expect(html).toContain('Unknown permission')
    expect(html).toMatch(/value="workspace:view"[^>]*checked|checked[^>]*value="workspace:view"/)
  })

  test('a scope that creates what it cannot see is a field error', async () => {
    const { response, html, token } = await createToken({ name: 'Blind writer', permissions: ['project:create'] })
    expect(response.status).toBe(422)
    expect(token).toBeUndefined()
    expect(html).toContain('Whoever creates must also see what they create: add View projects')
    expect((await ctx.admin.query('select 1 from auth.api_tokens where name = $1', ['Blind writer'])).rowCount).toBe(0)
  })

  test('a token cannot be scoped to an organization the user does not belong to', async () => {
    const stranger = await signedUpClient(ctx.origin, 'Stan Stranger')
    const theirs = await createOrg(stranger, 'Not Yours')
    const theirId = (await ctx.admin.query('select id from organizations where slug = $1', [theirs])).rows[0].id
    const { response, html, token } = await createToken({ name: 'Sneaky', organizationId: theirId })
    expect(response.status).toBe(422)
    expect(html).toContain('Choose one of your organizations')
    expect(token).toBeUndefined()
    expect((await ctx.admin.query('select 1 from auth.api_tokens where name = $1', ['Sneaky'])).rowCount).toBe(0)
  })

  test('revoking from the page stops the token at once; another user cannot revoke it', async () => {
    const { token } = await createToken({ name: 'Short lived' })
    const client = api.as(token)
    expectData(await client.get('/api/organizations'))
    const id = (await ctx.admin.query('select id from auth.api_tokens where token_hash = $1', [sha256(token!)])).rows[0].id

    const other = await signedUpClient(ctx.origin, 'Rita Revoker')
    const attempt = await other.post('/account/tokens', { intent: 'revoke', tokenId: id })
    expect(attempt.headers.get('location')).toBe('/account/tokens?revoked=0')
    expectData(await client.get('/api/organizations'))

    const revoke = await browser.post('/account/tokens', { intent: 'revoke', tokenId: id })
    expect(revoke.status).toBe(302)
    expect(revoke.headers.get('location')).toBe('/account/tokens?revoked=1')
    expectError(await client.get('/api/organizations'), 401, 'UNAUTHORIZED')
    expect(await (await browser.get('/account/tokens')).text()).toContain('revoked')
  })

  test('signed-out visitors are sent to sign in', async () => {
    const response = await new Client(ctx.origin).get('/account/tokens')
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toMatch(/^\/login/)
  })
})

describe('using a token', () => {
  test('it identifies its user and notes when it was last used', async () => {
    const { token } = await createToken({ name: 'Who am I' })
    const me = expectData(await api.as(token).get('/api/auth/me'))
    expect(me).toEqual({
      user: { id: userId, email: browser.email, name: 'Tess Tokens' },
      credential: { kind: 'token', organizationId: null, permissions: null },
    })
    const used = await ctx.admin.query('select last_used_at from auth.api_tokens where token_hash = $1', [sha256(token!)])
    expect(used.rows[0].last_used_at).not.toBeNull()
  })

  test('an expired token is a 401', async () => {
    const { token } = await createToken({ name: 'Expiring', expiresIn: '7' })
    expectData(await api.as(token).get('/api/organizations'))
    await ctx.admin.query(
      `update auth.api_tokens set created_at = now() - interval '9 days', expires_at = now() - interval '1 day' where token_hash = $1`,
      [sha256(token!)],
    )
    expectError(await api.as(token).get('/api/organizations'), 401, 'UNAUTHORIZED')
  })

  test('logging out with a token revokes it', async () => {
    const { token } = await createToken({ name: 'Logs out' })
    expect((await api.as(token).post('/api/auth/logout')).status).toBe(204)
    expectError(await api.as(token).get('/api/organizations'), 401)
    expect(
      (await ctx.admin.query('select revoked_at from auth.api_tokens where token_hash = $1', [sha256(token!)])).rows[0].revoked_at,
    ).not.toBeNull()
  })

  test('a token scoped to one organization sees only that one; the other is a 404', async () => {
    const { token } = await createToken({ name: 'Only A', organizationId: orgA })
    const client = api.as(token)
    const list = expectData(await client.get('/api/organizations'))
    expect(list.map((o: { id: string }) => o.id)).toEqual([orgA])
    expectData(await client.get(`/api/organizations/${orgA}/workspaces`))
    const theirs = await client.get(`/api/organizations/${orgB}/workspaces`)
    const nowhere = await client.get(`/api/organizations/00000000-0000-4000-8000-000000000000/workspaces`)
    expect(expectError(theirs, 404).message).toBe(expectError(nowhere, 404).message)
    expectError(await client.post('/api/organizations', { name: 'Escape' }), 403, 'FORBIDDEN')
  })

  test('a token limited to some permissions can do only those', async () => {
    const { token } = await createToken({ name: 'Read workspaces', permissions: ['workspace:view'] })
    const client = api.as(token)
    const [general] = expectData(await client.get(`/api/organizations/${orgA}/workspaces`))
    expectData(await client.get(`/api/organizations/${orgA}/workspaces/${general.id}`))
    expectError(await client.post(`/api/organizations/${orgA}/workspaces`, { name: 'Nope' }), 403, 'FORBIDDEN')
    expectError(await client.patch(`/api/organizations/${orgA}/workspaces/${general.id}`, { name: 'Nope' }), 403, 'FORBIDDEN')
    expectError(await client.get(`/api/organizations/${orgA}`), 403, 'FORBIDDEN')
    expectError(await client.get(`/api/organizations/${orgA}/workspaces/${general.id}/projects`), 403, 'FORBIDDEN')
    expectError(await client.post('/api/organizations', { name: 'Escape' }), 403, 'FORBIDDEN')
    expect((await ctx.admin.query(`select count(*)::int as n from workspaces where organization_id = $1 and name = 'Nope'`, [orgA])).rows[0].n).toBe(
      0,
    )
  })

  test('a higher permission in the scope implies the lower ones, as for roles', async () => {
    const { token } = await createToken({ name: 'Workspace editor', permissions: ['workspace:update'] })
    const [general] = expectData(await api.as(token).get(`/api/organizations/${orgA}/workspaces`))
    expectData(await api.as(token).patch(`/api/organizations/${orgA}/workspaces/${general.id}`, { description: 'Edited by token' }))
  })

  test('a token never gets more than its user’s role', async () => {
    const owner = await signedUpClient(ctx.origin, 'Owen Owner')
    const slug = await createOrg(owner, 'Member Org')
    const orgId = (await ctx.admin.query('select id from organizations where slug = $1', [slug])).rows[0].id
    await addMember(ctx.admin, orgId, userId, 'member')
    const { token } = await createToken({ name: 'Wants more', organizationId: orgId, permissions: ['workspace:create', 'workspace:view'] })
    const client = api.as(token)
    expectData(await client.get(`/api/organizations/${orgId}/workspaces`))
    expectError(await client.post(`/api/organizations/${orgId}/workspaces`, { name: 'Escalated' }), 403, 'FORBIDDEN')
    // When the membership ends, so does the token's reach.
    await ctx.admin.query('delete from organization_members where organization_id = $1 and user_id = $2', [orgId, userId])
    expectError(await client.get(`/api/organizations/${orgId}/workspaces`), 404, 'NOT_FOUND')
  })

  test('deleting the organization a token is scoped to deletes the token; it never widens', async () => {
    const id = await apiCreateOrg(api.as((await createToken({ name: 'Creator' })).token), 'Short-lived Org')
    const { token } = await createToken({ name: 'Scoped to doomed', organizationId: id })
    expect((await api.as(token).delete(`/api/organizations/${id}`)).status).toBe(204)
    expectError(await api.as(token).get('/api/organizations'), 401, 'UNAUTHORIZED')
  })
})

describe('the database enforces a token’s scope as well', () => {
  // The model called as a route would call it, but without the route's
  // permission check: only row-level security stands in the way.
  const asOwner = (token: { organizationId: string | null; permissions: readonly string[] | null }) => ({
    userId,
    organizationId: orgA,
    role: 'owner',
    token,
  })

  test('a write the token’s permissions do not cover is refused by row-level security', async () => {
    const readOnly = asOwner({ organizationId: null, permissions: ['workspace:view'] })
    await expect(createWorkspace(readOnly, { name: 'Bypass' })).rejects.toThrow(/row-level security/)
    expect(
      (await ctx.admin.query(`select count(*)::int as n from workspaces where organization_id = $1 and name = 'Bypass'`, [orgA])).rows[0].n,
    ).toBe(0)
    const writer = asOwner({ organizationId: null, permissions: ['workspace:create', 'workspace:view'] })
    expect((await createWorkspace(writer, { name: 'Allowed by scope' })).name).toBe('Allowed by scope')
  })

  test('a token scoped to another organization sees nothing of this one', async () => {
    const id = (await ctx.admin.query('select id from workspaces where organization_id = $1 limit 1', [orgA])).rows[0].id
    expect(await findWorkspaceById(asOwner({ organizationId: null, permissions: null }), id)).not.toBeNull()
    expect(await findWorkspaceById(asOwner({ organizationId: orgB, permissions: null }), id)).toBeNull()
  })
})
