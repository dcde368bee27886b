import { hashPassword } from '~/auth/password.server'
import { createOrganization } from '~/models/organization.server'
import { createUser, findCredentials } from '~/models/user.server'

export const DEMO_USER = { email: 'demo@nextsaas.dev', name: 'Demo User', password: 'demo-password-2026' }

/** A user with one organization, so a fresh install has something to sign in to. */
export async function seedDemo(): Promise<typeof DEMO_USER> {
  if (await findCredentials(DEMO_USER.email)) return DEMO_USER
  const user = await createUser({ ...DEMO_USER, passwordHash: await hashPassword(DEMO_USER.password) }, {})
  await createOrganization({ userId: user.id }, { name: 'Acme Inc' })
  return DEMO_USER
}
