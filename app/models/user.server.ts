import { UniqueIntegrityConstraintViolationError } from 'slonik'
import { z } from 'zod'
import type { Client } from '~/lib/request-context'
import { insertAuditRow } from './audit.server'
import { sql, withAuthService, type Tx } from './db.server'

const User = z.object({ id: z.string(), email: z.string(), name: z.string() })
export type User = z.infer<typeof User>

/** A signed-in user, as a session or a token resolves them. */
export interface SessionUser extends User {
  emailVerified: boolean
}

export class EmailTakenError extends Error {
  constructor() {
    super('An account with this email already exists')
  }
}

export function normalizeEmail(email: string) {
  return email.trim().toLowerCase()
}

interface AuthEvent extends Client {
  action: string
  userId: string | null
  result: 'success' | 'failure'
  details?: Record<string, unknown>
}

/** Sign-in and sign-up events belong to no organization. */
function writeAuthAudit(tx: Tx, { action, userId, result, details, ...client }: AuthEvent) {
  return insertAuditRow(tx, client, { organizationId: null, userId, action, resourceType: 'user', resourceId: userId ?? undefined, details, result })
}

export function createUser(input: { email: string; name: string; passwordHash: string }, client: Client): Promise<User> {
  return withAuthService(async (tx) => {
    try {
      const user = await tx.transaction((sp) =>
        sp.one(sql.type(User)`
          insert into auth.users (email, name) values (${normalizeEmail(input.email)}, ${input.name})
          returning id, email, name`),
      )
      await tx.query(sql.unsafe`insert into auth.passwords (user_id, hash) values (${user.id}, ${input.passwordHash})`)
      await writeAuthAudit(tx, { action: 'user.signed_up', userId: user.id, result: 'success', ...client })
      return user
    } catch (error) {
      if (error instanceof UniqueIntegrityConstraintViolationError) throw new EmailTakenError()
      throw error
    }
  })
}

const Credentials = User.extend({ passwordHash: z.string() })

export function findCredentials(email: string): Promise<z.infer<typeof Credentials> | null> {
  return withAuthService((tx) =>
    tx.maybeOne(sql.type(Credentials)`
      select u.id, u.email, u.name, p.hash as "passwordHash"
      from auth.users u join auth.passwords p on p.user_id = u.id
      where lower(u.email) = ${normalizeEmail(email)}`),
  )
}

/** An account-security event of no organization: a sign-in, a block of guessing. */
export function recordAuthEvent(event: AuthEvent) {
  return withAuthService((tx) => writeAuthAudit(tx, event))
}

export function recordSignIn(event: Omit<AuthEvent, 'action'>) {
  return recordAuthEvent({ action: 'user.signed_in', ...event })
}
