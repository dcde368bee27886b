import { z } from 'zod'
import { SLUG_PATTERN } from './slug'

/** Schemas shared by forms, the API and the server (the same rules everywhere). */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** Ids are UUIDs: anything else names nothing, and is not worth a query (nor a cast error). */
export const isUuid = (value: string | undefined): value is string => value !== undefined && UUID.test(value)

// PostgreSQL text cannot hold NUL: refuse it as bad input, not a database error.
const NO_NUL = /^[^\u0000]*$/
const NUL_MESSAGE = 'Remove the invisible null character'

export const EmailSchema = z.string({ required_error: 'Email is required' }).trim().max(254, 'Email is too long').email('Enter a valid email address')

/** A calendar date as `YYYY-MM-DD`, what `<input type="date">` sends. */
export const CalendarDate = z
  .string()
  // Year 0000 passes the calendar check but not PostgreSQL, which has no year zero.
  .regex(/^(?!0000)\d{4}-\d{2}-\d{2}$/, 'Use a date such as 2025-01-31')
  // Date.parse rolls 2024-02-30 over into March; a real date survives the round trip.
  .refine((value) => {
    const time = Date.parse(`${value}T00:00:00Z`)
    return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value)
  }, 'Not a calendar date')

export const PasswordSchema = z
  .string({ required_error: 'Password is required' })
  .min(12, 'Use at least 12 characters')
  .max(128, 'Use at most 128 characters')

export const NameSchema = z
  .string({ required_error: 'Name is required' })
  .trim()
  .min(1, 'Name is required')
  .max(100, 'Use at most 100 characters')
  .regex(NO_NUL, NUL_MESSAGE)

export const SignupSchema = z.object({
  name: NameSchema,
  email: EmailSchema,
  password: PasswordSchema,
  redirectTo: z.string().max(2000).optional(),
})
export const LoginSchema = z.object({
  email: EmailSchema,
  password: z.string({ required_error: 'Password is required' }).max(1024),
  redirectTo: z.string().optional(),
})
export const OrganizationSchema = z.object({ name: NameSchema })

/** Only same-site paths: an open redirect would hand sign-ins to another site. */
export function safeRedirect(to: string | null | undefined, fallback = '/orgs') {
  if (!to || !to.startsWith('/') || to.startsWith('//') || to.startsWith('/\\')) return fallback
  return to
}

const SLUG_HINT = 'Use lowercase letters, digits and single hyphens'
const OptionalSlug = z.string().trim().toLowerCase().max(64, 'Use at most 64 characters').regex(SLUG_PATTERN, SLUG_HINT).optional()
const Description = z.string().trim().max(2000, 'Use at most 2000 characters').regex(NO_NUL, NUL_MESSAGE).optional()

export const OrganizationSettingsSchema = z.object({
  name: NameSchema,
  slug: z.string({ required_error: 'Slug is required' }).trim().toLowerCase().max(64, 'Use at most 64 characters').regex(SLUG_PATTERN, SLUG_HINT),
})

export const WorkspaceSchema = z.object({
  name: NameSchema,
  slug: OptionalSlug,
  description: Description,
  icon: z.string().trim().max(16, 'Use a short icon, such as one emoji').regex(NO_NUL, NUL_MESSAGE).optional(),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'Use a colour like #3B82F6')
    .optional(),
})

export const ProjectSchema = z.object({ name: NameSchema, slug: OptionalSlug, description: Description })

/** A role's key (owner, admin, member, or a custom role's id), as forms and the API name it. */
export const RoleKeySchema = z.string({ required_error: 'Choose a role' }).min(1, 'Choose a role').max(64).regex(NO_NUL, NUL_MESSAGE)

export const InvitationSchema = z.object({ email: EmailSchema, role: RoleKeySchema })

// ---------------------------------------------------------------- member administration

export const MemberRoleSchema = z.object({ role: RoleKeySchema })

export const MemberStatusSchema = z.object({
  status: z.enum(['active', 'suspended'], { message: 'Use active or suspended' }),
})

const Uuid = (message: string) => z.string({ required_error: message }).regex(UUID, message)

/** A scoped grant: a role on one workspace or on one project. */
export const GrantSchema = z
  .object({
    role: RoleKeySchema,
    workspaceId: Uuid('Not a workspace id').optional(),
    projectId: Uuid('Not a project id').optional(),
  })
  .refine((grant) => (grant.workspaceId === undefined) !== (grant.projectId === undefined), {
    message: 'Give either a workspaceId or a projectId',
    path: ['workspaceId'],
  })

/** The grant form's choice of target, `workspace:<uuid>` or `project:<uuid>`, as a grant's workspaceId or projectId. */
export const GrantTargetSchema = z.string({ required_error: 'Choose a workspace or project' }).transform((value, ctx) => {
  const [kind, id, ...rest] = value.split(':')
  if ((kind === 'workspace' || kind === 'project') && rest.length === 0 && isUuid(id)) {
    return kind === 'workspace' ? { workspaceId: id } : { projectId: id }
  }
  ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'Choose a workspace or project' })
  return z.NEVER
})

/** Deleting a custom role that people hold: the role they get instead. */
export const RoleDeletionSchema = z.object({ reassignTo: RoleKeySchema.optional() })

/** A typed confirmation: the organization's name, as deleting it or handing it over asks. */
export const confirmNameSchema = (name: string) =>
  z.object({
    confirm: z
      .string({ required_error: 'Type the organization name to confirm' })
      .refine((typed) => typed === name, `Type “${name}” exactly to confirm`),
  })

export const RoleSchema = z.object({
  name: NameSchema,
  description: z.string().trim().max(500, 'Use at most 500 characters').regex(NO_NUL, NUL_MESSAGE).optional(),
  permissions: z.array(z.string().max(64).regex(NO_NUL, NUL_MESSAGE)).max(100).default([]),
})

/**
 * How many days the organization keeps its audit log: a whole number up to
 * the operator's maximum, or null (keep it as long as the maximum allows).
 * A form's empty field means null; the API says null outright, and a body
 * without `days` is refused.
 */
export function auditRetentionSchema(maximumDays: number, { blankIsNull }: { blankIsNull: boolean }) {
  return z.object({
    days: z.preprocess(
      (value) => (value === null || (blankIsNull && (value === '' || value === undefined)) ? null : value),
      z.coerce
        .number({ invalid_type_error: 'Enter a whole number of days' })
        .int('Enter a whole number of days')
        .min(1, 'Keep it at least 1 day')
        .max(maximumDays, `Use at most ${maximumDays} days (the system maximum)`)
        .nullable(),
    ),
  })
}
