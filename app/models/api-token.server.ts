/**
 * Personal access tokens for the JSON API. The raw token is shown to its
 * owner once; the table keeps its SHA-256. Owners list, create and revoke
 * their tokens through withTenant(), where RLS shows each user only their own;
 * a presented token is resolved by the auth service, before anyone is known.
 */
import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { DomainError } from '~/lib/errors'
import { unseenCreations, unseenCreationsMessage } from '~/lib/permissions'
import { hashSecret } from '~/lib/secrets.server'
import { writeAudit } from './audit.server'
import { sql, withAuthService, withTenant, type Actor } from './db.server'

/** Marks a token as ours, so it is told apart from a session token (and found by secret scanners). */
export const API_TOKEN_PREFIX = 'nsp_'
/** How stale last_used_at may get before a request writes it again. */

const TOKEN_BYTES = 32
/** The prefix and 32 random bytes in base64url: never the length of a session token (43). */
const TOKEN_LENGTH = API_TOKEN_PREFIX.length + Math.ceil((TOKEN_BYTES * 4) / 3)

export function isApiToken(token: string) {
  return token.length === TOKEN_LENGTH && token.startsWith(API_TOKEN_PREFIX)
}

export interface TokenScope {
  /** The only organization the token reaches, or null for all of the user's. */
  organizationId: string | null
  /** The most the token may do, or null for whatever the user may. */
  permissions: readonly string[] | null
}

const ApiToken = z.object({
  id: z.string(),
  name: z.string(),
  organizationId: z.string().nullable(),
  /** Null when the organization is gone from the user's view (they left it). */
  organizationName: z.string().nullable(),
  permissions: z.array(z.string()).nullable(),
  expiresAt: z.date().nullable(),
  lastUsedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  createdAt: z.date(),
})
export type ApiToken = z.infer<typeof ApiToken>

const COLUMNS = sql.fragment`
  t.id, t.name, t.scope_organization_id as "organizationId", o.name as "organizationName",
  t.scope_permissions as permissions, t.expires_at as "expiresAt", t.last_used_at as "lastUsedAt",
  t.revoked_at as "revokedAt", t.created_at as "createdAt"`

/** The actor's tokens, newest first, revoked and expired ones included (they say so). */
export function listApiTokens(actor: Actor): Promise<readonly ApiToken[]> {
  return withTenant(actor, (tx) =>
    tx.any(sql.type(ApiToken)`
      select ${COLUMNS}
      from auth.api_tokens t left join organizations o on o.id = t.scope_organization_id
      where t.user_id = ${actor.userId}
      order by t.created_at desc, t.id`),
  )
}

export interface NewApiToken {
  name: string
  /** Days until it stops working; null for never. */
  expiresInDays: number | null
  organizationId: string | null
  permissions: readonly string[] | null
}

/**
 * Creates a token and returns it in clear, the only time it exists so. A scope
 * naming an organization the actor does not belong to is refused by RLS.
 */
export function createApiToken(actor: Actor, input: NewApiToken): Promise<{ token: string; record: ApiToken }> {
  const unseen = unseenCreations(input.permissions ?? [])
  if (unseen.length) return Promise.reject(new DomainError(unseenCreationsMessage(unseen), 'permissions', 'VALIDATION_FAILED'))
  return withTenant(actor, async (tx) => {
    const token = `${API_TOKEN_PREFIX}${randomBytes(TOKEN_BYTES).toString('base64url')}`
    if (input.organizationId) {
      // RLS shows only the organizations the actor is an active member of.
      const member = await tx.exists(sql.unsafe`select 1 from organizations where id = ${input.organizationId}`)
      if (!member) throw new DomainError('Choose one of your organizations', 'organizationId', 'VALIDATION_FAILED')
    }
    const id = await tx.oneFirst(sql.type(z.object({ id: z.string() }))`
      insert into auth.api_tokens (user_id, token_hash, name, scope_organization_id, scope_permissions, expires_at)
      values (${actor.userId}, ${hashSecret(token)}, ${input.name}, ${input.organizationId},
              ${input.permissions ? sql.array(input.permissions, 'text') : null},
              ${input.expiresInDays === null ? null : sql.fragment`now() + make_interval(days => ${input.expiresInDays})`})
      returning id`)
    await writeAudit(tx, actor, {
      action: 'api_token.created',
      resourceType: 'api_token',
      resourceId: id,
      details: { name: input.name, organizationId: input.organizationId, permissions: input.permissions, expiresInDays: input.expiresInDays },
    })
    const record = await tx.one(sql.type(ApiToken)`
      select ${COLUMNS} from auth.api_tokens t left join organizations o on o.id = t.scope_organization_id where t.id = ${id}`)
    return { token, record }
  })
}

/** Revokes one of the actor's tokens; another user's token id matches nothing. */
export function revokeApiToken(actor: Actor, id: string): Promise<boolean> {
  return withTenant(actor, async (tx) => {
    const revoked = await tx.query(sql.unsafe`
      update auth.api_tokens set revoked_at = now() where id = ${id} and user_id = ${actor.userId} and revoked_at is null`)
    if (revoked.rowCount) await writeAudit(tx, actor, { action: 'api_token.revoked', resourceType: 'api_token', resourceId: id })
    return revoked.rowCount > 0
  })
}

/** Notes a token's use (the tokens page shows it); the request calls it at most once a minute per token. */
export async function touchApiToken(tokenId: string): Promise<void> {
  await withAuthService((tx) => tx.query(sql.unsafe`update auth.api_tokens set last_used_at = now() where id = ${tokenId}`))
}
