import { NodePostgresAdapter } from '@lucia-auth/adapter-postgresql'
import type { DatabaseSession, DatabaseUser } from 'lucia'
import type pg from 'pg'

/**
 * Lucia's PostgreSQL adapter, reading a session and its user in one query
 * instead of two: session validation runs on every signed-in request, and a
 * round trip is the largest cost it has.
 */
export class SessionAdapter extends NodePostgresAdapter {
  constructor(private readonly pool: pg.Pool) {
    super(pool, { user: 'auth.users', session: 'auth.sessions' })
  }

  override async getSessionAndUser(sessionId: string): Promise<[DatabaseSession | null, DatabaseUser | null]> {
    const { rows } = await this.pool.query(
      `select s.*, u.email as "user:email", u.name as "user:name", u.email_verified_at as "user:email_verified_at"
       from auth.sessions s join auth.users u on u.id = s.user_id
       where s.id = $1`,
      [sessionId],
    )
    const row = rows[0] as Record<string, unknown> | undefined
    if (!row) return [null, null]
    const { id, user_id, expires_at, 'user:email': email, 'user:name': name, 'user:email_verified_at': emailVerifiedAt, ...attributes } = row
    return [
      { id: id as string, userId: user_id as string, expiresAt: expires_at as Date, attributes: attributes as DatabaseSession['attributes'] },
      { id: user_id as string, attributes: { email, name, email_verified_at: emailVerifiedAt } as DatabaseUser['attributes'] },
    ]
  }
}
