import { requirePermission } from '~/access/tenant.server'
import { readBody } from '~/api/body.server'
import { apiData } from '~/api/envelope.server'
import { presentMember } from '~/api/present.server'
import { requireApiTenant } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { TransferOwnershipBody } from '~/api/schemas.server'
import { notFound } from '~/lib/errors'
import { findMember, transferOwnership } from '~/models/member.server'

const { loader, action } = apiRoute({
  /** Hands the organization to another active member: they become owner, the caller admin. For an owner's unlimited credential only. */
  async POST(args) {
    const tenant = await requireApiTenant(args)
    await requirePermission(tenant, '*')
    const { memberId } = await readBody(args.request, TransferOwnershipBody)
    if (!(await findMember(tenant.actor, memberId))) throw notFound('Member not found')
    await transferOwnership(tenant.actor, memberId)
    const heir = await findMember(tenant.actor, memberId)
    if (!heir) throw notFound('Member not found')
    return apiData(presentMember(heir))
  },
})
export { loader, action }
