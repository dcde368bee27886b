import type pg from 'pg'
import { hashPassword } from '~/auth/password.server'
import { sql, withTenant, type Actor } from '~/models/db.server'
import { createOrganization } from '~/models/organization.server'
import { createUser } from '~/models/user.server'
import { uniqueEmail } from './app'

let cheapHash: Promise<string> | undefined

/** A user straight through the model (no HTTP), with one organization they own. */
export async function createTenant(label: string) {
  cheapHash ??= hashPassword('not used to sign in')
  const user = await createUser({ email: uniqueEmail(label), name: label, passwordHash: await cheapHash }, {})
  const org = await createOrganization({ userId: user.id }, { name: `${label} Org` })
  const actor: Actor & { organizationId: string } = { userId: user.id, organizationId: org.id, role: 'owner' }
  const workspaceId = await withTenant(actor, async (tx) => {
    const ws = await tx.oneFirst(sql.unsafe`select id from workspaces where organization_id = ${org.id} and is_default`)
    await tx.query(sql.unsafe`
      insert into projects (organization_id, workspace_id, name, slug) values (${org.id}, ${ws}, 'Secret project', 'secret')`)
    return ws as string
  })
  return { user, org, actor, workspaceId }
}

/** The id of `userId`'s membership of an organization, read as a superuser. */
export async function membershipId(admin: Pick<pg.Client, 'query'>, organizationId: string, userId: string) {
  const found = await admin.query<{ id: string }>('select id from organization_members where organization_id = $1 and user_id = $2', [
    organizationId,
    userId,
  ])
  return found.rows[0]!.id
}

/** Adds an existing user to an organization with a role, as a superuser would. */
export async function addMember(
  admin: { query: (text: string, values: unknown[]) => Promise<unknown> },
  organizationId: string,
  userId: string,
  role: string,
) {
  await admin.query(`insert into organization_members (organization_id, user_id, role, status, joined_at) values ($1, $2, $3, 'active', now())`, [
    organizationId,
    userId,
    role,
  ])
}
