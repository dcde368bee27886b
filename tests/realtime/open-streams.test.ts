/**
 * The live-update streams' check (stillOpen, realtime.open_streams): one
 * statement for every stream of a process, which keeps a stream open only
 * while its session or token holds and its holder is an active member of the
 * stream's organization. Runs on a single server and on Citus, where the
 * memberships are sharded and the credentials stay on the coordinator.
 */
import { randomBytes } from 'node:crypto'
import { expect, test } from 'vitest'
import { hashSecret } from '~/lib/secrets.server'
import { createApiToken, revokeApiToken } from '~/models/api-token.server'
import { stillOpen, type OpenStream } from '~/models/changes.server'
import { setupDatabase } from '../utils/fixture'
import { addMember, createTenant } from '../utils/tenants'

const ctx = setupDatabase()
const HOUR = 3_600_000

/** A session of `userId` as the sign-in makes it, by its secret. */
async function sessionOf(userId: string) {
  const secret = randomBytes(32).toString('base64url')
  await ctx.admin.query(`insert into auth.sessions (id, user_id, expires_at) values ($1, $2, now() + interval '1 hour')`, [
    hashSecret(secret),
    userId,
  ])
  return secret
}

const session = (organizationId: string, secret: string, lifetimeMs = HOUR): OpenStream => ({
  organizationId,
  credential: { kind: 'session', secret, lifetimeMs, idleMs: HOUR },
})
const token = (organizationId: string, secret: string): OpenStream => ({ organizationId, credential: { kind: 'token', secret } })

test('a stream stays open while its credential holds and its holder is an active member of its organization', async () => {
  const home = await createTenant('Streamer')
  const other = await createTenant('Elsewhere')
  await addMember(ctx.admin, other.org.id, home.user.id, 'member')
  const secret = await sessionOf(home.user.id)
  const anyOrg = await createApiToken(home.actor, { name: 'any', expiresInDays: null, organizationId: null, permissions: null })
  const homeOnly = await createApiToken(home.actor, { name: 'home only', expiresInDays: null, organizationId: home.org.id, permissions: null })
  const outsider = await sessionOf(other.user.id)
  const lapsed = await createApiToken(home.actor, { name: 'lapsed', expiresInDays: 1, organizationId: null, permissions: null })
  await ctx.admin.query(`update auth.api_tokens set created_at = now() - interval '2 days', expires_at = now() - interval '1 minute' where id = $1`, [
    lapsed.record.id,
  ])

  const streams = [
    session(home.org.id, secret),
    token(home.org.id, anyOrg.token),
    session(other.org.id, secret),
    token(other.org.id, homeOnly.token), // scoped to another organization
    session(home.org.id, secret, 1), // past the session's absolute lifetime
    session(home.org.id, 'no such session'),
    session(home.org.id, outsider), // a valid session of someone who is not a member
    token(home.org.id, lapsed.token), // expired
  ]
  expect(await stillOpen(streams)).toEqual(new Set([0, 1, 2]))

  await ctx.admin.query(`update organization_members set status = 'suspended' where organization_id = $1 and user_id = $2`, [
    other.org.id,
    home.user.id,
  ])
  expect(await stillOpen(streams)).toEqual(new Set([0, 1]))

  await revokeApiToken(home.actor, anyOrg.record.id)
  expect(await stillOpen(streams)).toEqual(new Set([0]))

  await ctx.admin.query(`delete from auth.sessions where id = $1`, [hashSecret(secret)])
  expect(await stillOpen(streams)).toEqual(new Set())
  expect(await stillOpen([])).toEqual(new Set())
})
