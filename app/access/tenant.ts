import { useRouteLoaderData } from '@remix-run/react'
import { permitsAt, type Permission, type Scope, type ScopedGrant } from '~/lib/permissions'

interface OrganizationLayoutData {
  organization: { id: string; name: string; slug: string; status: 'active' | 'suspended' }
  membership: { id: string; role: string; roleName: string }
  permissions: string[]
  grants: ScopedGrant[]
}

/** The organization layout's data, for any page inside /orgs/$org. */
export function useOrganization(): OrganizationLayoutData {
  const data = useRouteLoaderData<OrganizationLayoutData>('routes/orgs.$org')
  if (!data) throw new Error('useOrganization() used outside /orgs/$org')
  return data
}

/** What the UI may offer; the server checks the same rule again on every action. */
export function useCan(): (permission: Permission, scope?: Scope) => boolean {
  const { permissions, grants } = useOrganization()
  return (permission, scope) => permitsAt(permissions, grants, permission, scope)
}
