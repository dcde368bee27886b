import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { DomainError, type ErrorCode } from '~/lib/errors'
import { hashSecret } from '~/lib/secrets.server'
import { isUuid } from '~/lib/validation'
import { writeAudit } from './audit.server'
import { isUniqueViolation } from './constraints.server'
import { sql, withAuthService, withTenant, type Actor, type TenantActor } from './db.server'
import { requireGrantableRole } from './member.server'

const INVITATION_DAYS = 7
const newToken = () => randomBytes(32).toString('base64url')

const PendingInvitation = z.object({
  id: z.string(),
  email: z.string(),
  role: z.string(),
  roleName: z.string(),
  invitedBy: z.string().nullable(),
  expiresAt: z.date(),
  createdAt: z.date(),
})
export type PendingInvitation = z.infer<typeof PendingInvitation>

export function listPendingInvitations(actor: TenantActor): Promise<readonly PendingInvitation[]> {
  return withTenant(actor, (tx) =>
    tx.any(sql.type(PendingInvitation)`
      select i.id, i.email, i.role, r.name as "roleName", u.name as "invitedBy", i.expires_at as "expiresAt", i.created_at as "createdAt"
      from invitations i
      join roles r on r.organization_id = i.organization_id and r.key = i.role
      left join auth.users u on u.id = i.invited_by
      where i.organization_id = ${actor.organizationId} and i.accepted_at is null and i.revoked_at is null
      order by i.created_at desc`),
  )
}

/**
 * Creates a single-use invitation and returns its token (only its hash is
 * stored). An expired pending invitation for the same email is retired first;
 * a live one is a conflict — resend it instead.
 */
export function createInvitation(
  actor: TenantActor,
  held: readonly string[],
  input: { email: string; role: string },
): Promise<{ id: string; token: string }> {
  return withTenant(actor, async (tx) => {
    await requireGrantableRole(tx, actor, held, input.role)
    const email = input.email.trim().toLowerCase()
    const alreadyMember = await tx.maybeOne(sql.unsafe`
      select 1 from organization_members m join auth.users u on u.id = m.user_id
      where m.organization_id = ${actor.organizationId} and lower(u.email) = ${email}`)
    if (alreadyMember) throw new DomainError('This person is already a member', 'email', 'CONFLICT')
    const expiredIds = await tx.anyFirst(sql.type(z.object({ id: z.string() }))`
      update invitations set revoked_at = now()
      where organization_id = ${actor.organizationId} and lower(email) = ${email}
        and accepted_at is null and revoked_at is null and expires_at <= now()
      returning id`)
    const token = newToken()
    try {
      const id = await tx.transaction((sp) =>
        sp.oneFirst(sql.type(z.object({ id: z.string() }))`
          insert into invitations (organization_id, email, role, token_hash, invited_by, expires_at)
          values (${actor.organizationId}, ${email}, ${input.role}, ${hashSecret(token)}, ${actor.userId},
                  now() + make_interval(days => ${INVITATION_DAYS}))
          returning id`),
      )
      await writeAudit(tx, actor, {
        action: 'invitation.created',
        resourceType: 'invitation',
        resourceId: id,
        details: { email, role: input.role, ...(expiredIds.length ? { revokedExpiredIds: expiredIds } : {}) },
      })
      return { id, token }
    } catch (error) {
      if (isUniqueViolation(error, 'invitations_one_pending')) {
        throw new DomainError('This email already has a pending invitation: resend it instead', 'email', 'CONFLICT')
      }
      throw error
    }
  })
}

/** A new token and a new week for a pending invitation; the old link stops working. */
export function resendInvitation(actor: TenantActor, id: string): Promise<{ email: string; role: string; token: string }> {
  if (!isUuid(id)) return Promise.reject(new DomainError('Invitation not found', undefined, 'NOT_FOUND'))
  return withTenant(actor, async (tx) => {
    const token = newToken()
    const invitation = await tx.maybeOne(sql.type(z.object({ email: z.string(), role: z.string() }))`
      update invitations set token_hash = ${hashSecret(token)}, expires_at = now() + make_interval(days => ${INVITATION_DAYS})
      where organization_id = ${actor.organizationId} and id = ${id} and accepted_at is null and revoked_at is null
      returning email, role`)
    if (!invitation) throw new DomainError('Invitation not found', undefined, 'NOT_FOUND')
    await writeAudit(tx, actor, { action: 'invitation.resent', resourceType: 'invitation', resourceId: id, details: { email: invitation.email } })
    return { ...invitation, token }
  })
}

export function revokeInvitation(actor: TenantActor, id: string): Promise<void> {
  if (!isUuid(id)) return Promise.reject(new DomainError('Invitation not found', undefined, 'NOT_FOUND'))
  return withTenant(actor, async (tx) => {
    const revoked = await tx.query(sql.unsafe`
      update invitations set revoked_at = now()
      where organization_id = ${actor.organizationId} and id = ${id} and accepted_at is null and revoked_at is null`)
    if (revoked.rowCount !== 1) throw new DomainError('Invitation not found', undefined, 'NOT_FOUND')
    await writeAudit(tx, actor, { action: 'invitation.revoked', resourceType: 'invitation', resourceId: id })
  })
}

const Preview = z.object({
  organization_name: z.string(),
  organization_slug: z.string(),
  inviter_name: z.string().nullable(),
  role_name: z.string(),
  email: z.string(),
  status: z.enum(['pending', 'expired', 'revoked', 'accepted']),
})
export type InvitationPreview = z.infer<typeof Preview>

/** Who invited the token holder to what, before anyone signs in. */
export function previewInvitation(token: string): Promise<InvitationPreview | null> {
  return withAuthService((tx) => tx.maybeOne(sql.type(Preview)`select * from invitation_preview(${hashSecret(token)})`))
}

/** accept_invitation()'s refusals (raised as these words), as domain errors. */
const ACCEPT_ERRORS: Record<string, [ErrorCode, string]> = {
  invitation_not_found: ['INVITATION_NOT_FOUND', 'This invitation link is not valid.'],
  invitation_used: ['INVITATION_USED', 'This invitation has already been used.'],
  invitation_revoked: ['INVITATION_REVOKED', 'This invitation was revoked.'],
  invitation_expired: ['INVITATION_EXPIRED', 'This invitation has expired. Ask for a new one.'],
  email_unverified: [
    'EMAIL_UNVERIFIED',
    'This invitation was sent to another address. Verify your email address first, or sign in with the invited one.',
  ],
  already_member: ['ALREADY_MEMBER', 'You are already a member of this organization.'],
  organization_suspended: [
    'ORGANIZATION_SUSPENDED',
    'This organization is suspended. The invitation stays valid until it expires; accept it once the organization is reactivated.',
  ],
}

/** Joins the signed-in user to the invitation's organization; returns its slug. The function writes the audit row. */
export function acceptInvitation(actor: Actor, token: string): Promise<string> {
  return withTenant(actor, async (tx) => {
    const slug = await tx
      .oneFirst(
        sql.type(z.object({ slug: z.string() }))`
        select accept_invitation(${hashSecret(token)}, ${actor.ip ?? null}, ${actor.userAgent ?? null}, ${actor.traceId ?? null}) as slug`,
      )
      .catch((error: unknown) => {
        const raised = error instanceof Error ? Object.keys(ACCEPT_ERRORS).find((c) => error.message.includes(c)) : undefined
        if (!raised) throw error
        const [code, message] = ACCEPT_ERRORS[raised]!
        throw new DomainError(message, undefined, code)
      })
    actor.audits?.({ action: 'invitation.accepted', result: 'success' })
    return slug
  })
}
