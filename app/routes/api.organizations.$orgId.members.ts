import { requirePermission } from '~/access/tenant.server'
import { apiPage, parseApiListQuery } from '~/api/pagination.server'
import { presentMember } from '~/api/present.server'
import { requireApiTenant } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { listMembers } from '~/models/member.server'

const { loader, action } = apiRoute({
  /** The organization's members with their roles and scoped grants, by name (or sort=recent: newest first). */
  async GET(args) {
    const tenant = await requireApiTenant(args)
    await requirePermission(tenant, 'member:view')
    const query = parseApiListQuery(args.request)
    return apiPage(args.request, await listMembers(tenant.actor, query), query, presentMember)
  },
})
export { loader, action }
