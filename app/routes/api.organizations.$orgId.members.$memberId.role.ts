import { requirePermission } from '~/access/tenant.server'
import { readBody } from '~/api/body.server'
import { apiData } from '~/api/envelope.server'
import { presentMember } from '~/api/present.server'
import { requireApiTenant } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { MemberRoleBody } from '~/api/schemas.server'
import { notFound } from '~/lib/errors'
import { isUuid } from '~/lib/validation'
import { changeMemberRole, findMember } from '~/models/member.server'

const { loader, action } = apiRoute({
  /** Gives a member another organization role: one the caller holds everything of, never to themselves. */
  async PUT(args) {
    const tenant = await requireApiTenant(args)
    await requirePermission(tenant, 'member:update')
    const memberId = args.params.memberId
    // An id that names nothing is a 404 before the body is judged; the model answers it for ids not there.
    if (!isUuid(memberId)) throw notFound('Member not found')
    const { role } = await readBody(args.request, MemberRoleBody)
    await changeMemberRole(tenant.actor, tenant.permissions, memberId, role)
    const saved = await findMember(tenant.actor, memberId)
    if (!saved) throw notFound('Member not found')
    return apiData(presentMember(saved))
  },
})
export { loader, action }
