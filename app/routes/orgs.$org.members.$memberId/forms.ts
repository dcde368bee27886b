/**
 * The member page's forms: one schema per form, each carrying its intent,
 * so that the page parses with conform and answers each form beside itself.
 */
import type { SubmissionResult } from '@conform-to/react'
import { z } from 'zod'
import type { Permission } from '~/lib/permissions'
import { confirmNameSchema, GrantTargetSchema, MemberRoleSchema, RoleKeySchema } from '~/lib/validation'

export const RoleForm = MemberRoleSchema.extend({ intent: z.literal('role') })
export const StatusForm = z.object({ intent: z.enum(['suspend', 'reactivate']) })
export const AddGrantForm = z.object({ intent: z.literal('add-grant'), role: RoleKeySchema, target: GrantTargetSchema })
export const RemoveGrantForm = z.object({
  intent: z.literal('remove-grant'),
  grantId: z.string({ required_error: 'Choose a grant' }).uuid('Not a grant'),
})
export const transferForm = (organizationName: string) => confirmNameSchema(organizationName).extend({ intent: z.literal('transfer') })

/** Every form of the page; the transfer's confirmation is the organization's name. */
export const memberAction = (organizationName: string) =>
  z.discriminatedUnion('intent', [RoleForm, StatusForm, AddGrantForm, RemoveGrantForm, transferForm(organizationName)])

export type MemberIntent = 'role' | 'suspend' | 'reactivate' | 'add-grant' | 'remove-grant' | 'transfer'

/** What each form needs; an owner's whole power ('*', unlimited by a token) to hand the organization over. */
export const REQUIRED: Record<MemberIntent, Permission> = {
  role: 'member:update',
  suspend: 'member:update',
  reactivate: 'member:update',
  'add-grant': 'member:update',
  'remove-grant': 'member:update',
  transfer: '*',
}

/** The action's answer, for the form that sent it only (by intent, and by grant for a grant's own form). */
export function replyFor(result: SubmissionResult<string[]> | undefined, intent: MemberIntent | readonly MemberIntent[], grantId?: string) {
  const sent = result?.initialValue as Record<string, unknown> | undefined
  const intents: readonly string[] = typeof intent === 'string' ? [intent] : intent
  if (!sent || !intents.includes(String(sent.intent))) return null
  return grantId === undefined || sent.grantId === grantId ? result! : null
}
