import { readBody } from '~/api/body.server'
import { apiCreated } from '~/api/envelope.server'
import { apiPage, parseApiListQuery } from '~/api/pagination.server'
import { presentMembership } from '~/api/present.server'
import { apiActor, requireApiUser, requireUnscoped } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { CreateOrganizationBody } from '~/api/schemas.server'
import { toPage } from '~/lib/pagination'
import { BUILTIN_ROLES } from '~/lib/permissions'
import { createOrganization, listMyOrganizations } from '~/models/organization.server'

const { loader, action } = apiRoute({
  /** The caller's organizations (only the one a scoped token is limited to), by name. */
  async GET(args) {
    const principal = await requireApiUser(args)
    const query = parseApiListQuery(args.request, ['name'])
    const only = principal.scope?.organizationId
    // A user belongs to few organizations: the model lists them all, the API pages them.
    const all = (await listMyOrganizations(apiActor(principal, args))).filter((o) => !only || o.id === only)
    const start = (query.page - 1) * query.pageSize
    const page = toPage(all.slice(start, start + query.pageSize), all.length, query)
    return apiPage(args.request, page, query, (o) =>
      presentMembership({
        organizationId: o.id,
        organizationName: o.name,
        organizationSlug: o.slug,
        organizationStatus: o.status,
        role: o.role,
        roleName: o.roleName,
      }),
    )
  },

  /** Creates an organization with the caller as owner (and its default workspace). */
  async POST(args) {
    const principal = await requireApiUser(args)
    requireUnscoped(principal, 'create organizations')
    const input = await readBody(args.request, CreateOrganizationBody)
    const actor = apiActor(principal, args)
    const { id, slug } = await createOrganization(actor, input)
    // What was just created, not read back: on Citus the caller cannot read in this
    // transaction what create_organization() wrote as its owner (decision 005).
    const owner = BUILTIN_ROLES.find((role) => role.key === 'owner')!
    const membership = {
      organizationId: id,
      organizationName: input.name,
      organizationSlug: slug,
      organizationStatus: 'active' as const,
      role: owner.key,
      roleName: owner.name,
    }
    return apiCreated(presentMembership(membership), `/api/organizations/${id}`)
  },
})
export { loader, action }
