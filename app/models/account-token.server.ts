/**
 * Single-use links mailed to a user. The raw token exists only in the mail;
 * the table keeps its SHA-256, the address it was sent to and a deadline.
 */
import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { hashSecret } from '~/lib/secrets.server'
import { sql, type Tx } from './db.server'

export type TokenPurpose = 'verify_email' | 'reset_password' | 'change_email'

/** How long each kind of link works. */
export const TOKEN_LIFETIME_MS: Record<TokenPurpose, number> = {
  reset_password: 60 * 60 * 1000,
  verify_email: 24 * 60 * 60 * 1000,
  change_email: 24 * 60 * 60 * 1000,
}

/** A new token for `purpose`, sent to `email`; earlier tokens of that purpose stop working. */
export async function issueToken(tx: Tx, userId: string, purpose: TokenPurpose, email: string): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  await tx.query(sql.unsafe`delete from auth.account_tokens where user_id = ${userId} and purpose = ${purpose}`)
  await tx.query(sql.unsafe`
    insert into auth.account_tokens (token_hash, user_id, purpose, email, expires_at)
    values (${hashSecret(token)}, ${userId}, ${purpose}, ${email},
            now() + make_interval(secs => ${TOKEN_LIFETIME_MS[purpose] / 1000}))`)
  return token
}

const Redeemed = z.object({ userId: z.string(), email: z.string() })

/**
 * Uses a token up: it works once, before its deadline. Concurrent uses race on
 * the row and only one wins. Returns whom and which address it was for.
 */
export function redeemToken(tx: Tx, token: string, purpose: TokenPurpose): Promise<z.infer<typeof Redeemed> | null> {
  return tx.maybeOne(sql.type(Redeemed)`
    update auth.account_tokens set used_at = now()
    where token_hash = ${hashSecret(token)} and purpose = ${purpose} and used_at is null and expires_at > now()
    returning user_id as "userId", email`)
}

/** Whether a token would still work, without using it (to show its form or say it expired). */
export async function tokenIsUsable(tx: Tx, token: string, purpose: TokenPurpose): Promise<boolean> {
  return tx.exists(sql.unsafe`
    select 1 from auth.account_tokens
    where token_hash = ${hashSecret(token)} and purpose = ${purpose} and used_at is null and expires_at > now()`)
}
