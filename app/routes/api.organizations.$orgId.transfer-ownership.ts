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
    const heir = await findMember(tenant.actor, memberId)
    if (!heir) throw notFound('Member not found')
    await transferOwnership(tenant.actor, memberId)
    // The heir now holds the caller's role, an owner's (no one else may hand it on). Not read back:
    // on Citus a read of what the definer function wrote, in the same transaction, is refused.
    return apiData(presentMember({ ...heir, role: tenant.membership.role, roleName: tenant.membership.roleName }))
  },
})
export { loader, action }
