import { requireApiTenant } from '~/api/auth.server'
import { readBody } from '~/api/body.server'
import { apiData, notFound } from '~/api/envelope.server'
import { presentMember } from '~/api/present.server'
import { apiRoute } from '~/api/route.server'
import { MemberRoleBody } from '~/api/schemas.server'
import { changeMemberRole, findMember } from '~/models/member.server'
import { requirePermission } from '~/utils/tenant.server'

export const { loader, action } = apiRoute({
  /** Gives a member another organization role: one the caller holds everything of, never to themselves. */
  async PUT(args) {
    const tenant = await requireApiTenant(args)
    const member = await findMember(tenant.actor, args.params.memberId ?? '')
    if (!member) throw notFound('Member not found')
    await requirePermission(tenant, 'member:update')
    const { role } = await readBody(args.request, MemberRoleBody)
    await changeMemberRole(tenant.actor, tenant.permissions, member.id, role)
    const saved = await findMember(tenant.actor, member.id)
    if (!saved) throw notFound('Member not found')
    return apiData(presentMember(saved))
  },
})
