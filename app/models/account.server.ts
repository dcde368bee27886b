/**
 * Account changes made by the user themself or through a mailed link: password
 * reset and change, email verification and change. Each runs as the auth
 * service in one transaction with its audit row.
 */
import { UniqueIntegrityConstraintViolationError } from 'slonik'
import { z } from 'zod'
import type { Client } from '~/lib/request-context'
import { issueToken, redeemToken, tokenIsUsable, type TokenPurpose } from './account-token.server'
import { writeAudit } from './audit.server'
import { sql, withAuthService, type Tx } from './db.server'
import { EmailTakenError, normalizeEmail } from './user.server'

const Account = z.object({ id: z.string(), email: z.string(), name: z.string() })
export type Account = z.infer<typeof Account>

function findByEmail(tx: Tx, email: string) {
  return tx.maybeOne(sql.type(Account)`select id, email, name from auth.users where lower(email) = ${normalizeEmail(email)}`)
}

function findById(tx: Tx, userId: string) {
  return tx.one(sql.type(Account)`select id, email, name from auth.users where id = ${userId}`)
}

async function setPasswordHash(tx: Tx, userId: string, passwordHash: string) {
  await tx.query(sql.unsafe`update auth.passwords set hash = ${passwordHash} where user_id = ${userId}`)
}

/** Swaps a hash for a stronger one of the same password; the old hash (salted, unique) names the row. */
export async function replacePasswordHash(oldHash: string, newHash: string): Promise<void> {
  await withAuthService((tx) => tx.query(sql.unsafe`update auth.passwords set hash = ${newHash} where hash = ${oldHash}`))
}

export function isUsableLink(token: string, purpose: TokenPurpose): Promise<boolean> {
  return withAuthService((tx) => tokenIsUsable(tx, token, purpose))
}

/** A reset link for the account with this address, or null when there is none. */
export function startPasswordReset(email: string, client: Client): Promise<{ account: Account; token: string } | null> {
  return withAuthService(async (tx) => {
    const account = await findByEmail(tx, email)
    if (!account) return null
    const token = await issueToken(tx, account.id, 'reset_password', account.email)
    await writeAudit(tx, { ...client, userId: account.id }, { action: 'password.reset_requested', resourceType: 'user', resourceId: account.id })
    return { account, token }
  })
}

/**
 * Marks the address a link was mailed to as verified, keeping an earlier
 * date; false when the account's address has changed since. least() rather
 * than coalesce(): Citus refuses now() inside COALESCE or CASE on a
 * reference table, and least() ignores the NULL the same way.
 */
async function markEmailVerified(tx: Tx, redeemed: { userId: string; email: string }): Promise<boolean> {
  const updated = await tx.query(sql.unsafe`
    update auth.users set email_verified_at = least(email_verified_at, now())
    where id = ${redeemed.userId} and lower(email) = ${normalizeEmail(redeemed.email)}`)
  return updated.rowCount > 0
}

/**
 * Sets a new password through a reset link. The link proved the address is
 * theirs, so it counts as verified too. Returns the account, or null for a
 * link that is unknown, used or expired.
 */
export function resetPassword(token: string, passwordHash: string, client: Client): Promise<Account | null> {
  return withAuthService(async (tx) => {
    const redeemed = await redeemToken(tx, token, 'reset_password')
    if (!redeemed) return null
    await setPasswordHash(tx, redeemed.userId, passwordHash)
    await markEmailVerified(tx, redeemed)
    await writeAudit(tx, { ...client, userId: redeemed.userId }, { action: 'password.reset', resourceType: 'user', resourceId: redeemed.userId })
    return findById(tx, redeemed.userId)
  })
}

export function changePassword(userId: string, passwordHash: string, client: Client): Promise<void> {
  return withAuthService(async (tx) => {
    await setPasswordHash(tx, userId, passwordHash)
    await tx.query(sql.unsafe`delete from auth.account_tokens where user_id = ${userId} and purpose = 'reset_password'`)
    await writeAudit(tx, { ...client, userId }, { action: 'password.changed', resourceType: 'user', resourceId: userId })
  })
}

/** A verification link for the user's current address, or null when it is already verified. */
export function startEmailVerification(userId: string): Promise<{ account: Account; token: string } | null> {
  return withAuthService(async (tx) => {
    const verified = await tx.oneFirst(sql.type(z.object({ verified: z.boolean() }))`
      select email_verified_at is not null as verified from auth.users where id = ${userId}`)
    if (verified) return null
    const account = await findById(tx, userId)
    return { account, token: await issueToken(tx, userId, 'verify_email', account.email) }
  })
}

/** Marks the address verified; false for a bad link or one sent to an address the account no longer has. */
export function verifyEmail(token: string, client: Client): Promise<boolean> {
  return withAuthService(async (tx) => {
    const redeemed = await redeemToken(tx, token, 'verify_email')
    if (!redeemed) return false
    if (!(await markEmailVerified(tx, redeemed))) return false
    await writeAudit(tx, { ...client, userId: redeemed.userId }, { action: 'email.verified', resourceType: 'user', resourceId: redeemed.userId })
    return true
  })
}

/** A confirmation link for a new address; the account keeps its old one until the link is used. */
export function startEmailChange(userId: string, newEmail: string, client: Client): Promise<{ account: Account; token: string }> {
  return withAuthService(async (tx) => {
    const holder = await findByEmail(tx, newEmail)
    if (holder) throw new EmailTakenError()
    const account = await findById(tx, userId)
    const token = await issueToken(tx, userId, 'change_email', normalizeEmail(newEmail))
    await writeAudit(tx, { ...client, userId }, { action: 'email.change_requested', resourceType: 'user', resourceId: userId })
    return { account, token }
  })
}

/** Moves the account to the address the link was sent to, now verified. Null for a bad link. */
export function confirmEmailChange(token: string, client: Client): Promise<{ account: Account; previousEmail: string } | null> {
  return withAuthService(async (tx) => {
    const redeemed = await redeemToken(tx, token, 'change_email')
    if (!redeemed) return null
    const previous = await findById(tx, redeemed.userId)
    try {
      await tx.transaction((savepoint) =>
        savepoint.query(sql.unsafe`update auth.users set email = ${redeemed.email}, email_verified_at = now() where id = ${redeemed.userId}`),
      )
    } catch (error) {
      if (error instanceof UniqueIntegrityConstraintViolationError) throw new EmailTakenError()
      throw error
    }
    await writeAudit(
      tx,
      { ...client, userId: redeemed.userId },
      {
        action: 'email.changed',
        resourceType: 'user',
        resourceId: redeemed.userId,
        details: { from: previous.email, to: redeemed.email },
      },
    )
    return { account: { ...previous, email: redeemed.email }, previousEmail: previous.email }
  })
}
