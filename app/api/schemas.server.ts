/**
 * What the API reads and writes. Request bodies are the forms' own schemas
 * (app/utils/validation.ts), narrowed or made partial where the API's verbs
 * need it; responses are described here once, for the OpenAPI document and
 * for the tests that hold responses to it.
 */
import {
  GrantSchema,
  InvitationSchema,
  LoginSchema,
  MemberRoleSchema,
  MemberStatusSchema,
  OrganizationSchema,
  OrganizationSettingsSchema,
  ProjectSchema,
  RoleDeletionSchema,
  RoleSchema,
  SignupSchema,
  WorkspaceSchema,
} from '~/lib/validation'
import { AUDIT_RESULTS } from '~/models/audit.server'
import { ORGANIZATION_STATUSES } from '~/models/tenant.server'
import { z } from './zod.server'

// ---------------------------------------------------------------- requests

export const SignupBody = SignupSchema.omit({ redirectTo: true }).openapi('SignupInput')
export const LoginBody = LoginSchema.omit({ redirectTo: true }).openapi('LoginInput')
export const CreateOrganizationBody = OrganizationSchema.openapi('OrganizationInput')
/** PATCH: any of the settings; the merged result must still pass OrganizationSettingsSchema. */
export const UpdateOrganizationBody = OrganizationSettingsSchema.partial().openapi('OrganizationPatch')
export const WorkspaceBody = WorkspaceSchema.openapi('WorkspaceInput')
export const WorkspacePatchBody = WorkspaceSchema.partial().openapi('WorkspacePatch')
export const ProjectBody = ProjectSchema.openapi('ProjectInput')
export const InvitationBody = InvitationSchema.openapi('InvitationInput')
export const MemberRoleBody = MemberRoleSchema.openapi('MemberRoleInput')
export const MemberStatusBody = MemberStatusSchema.openapi('MemberStatusInput')
export const GrantBody = GrantSchema.openapi('GrantInput')
export const TransferOwnershipBody = z
  .object({ memberId: z.string({ required_error: 'Choose the member who becomes owner' }).uuid('Not a member id') })
  .openapi('TransferOwnershipInput')
export const RoleBody = RoleSchema.openapi('RoleInput')
/** PATCH: any of the fields; the merged role must still pass RoleSchema. */
export const RolePatchBody = RoleSchema.extend({ permissions: RoleSchema.shape.permissions.removeDefault() }).partial().openapi('RolePatch')
/** DELETE's query: who gets the role's holders instead, when people hold it. */
export const RoleDeletionQuery = RoleDeletionSchema
/** The audit log's filters: query parameters of its list, and the fields of its page's form. */
export { AuditLogFilters } from '~/models/audit.server'
export { AuditExportQuery } from '~/models/audit-export.server'
export const ProjectPatchBody = ProjectSchema.partial()
  .extend({ status: z.enum(['active', 'archived'], { message: 'Use active or archived' }).optional() })
  .openapi('ProjectPatch')

// ---------------------------------------------------------------- responses

const id = z.string().uuid()
const timestamp = z.string().datetime().describe('ISO 8601, UTC')

export const UserResource = z.object({ id, email: z.string().email(), name: z.string() }).openapi('User')
export const AuthResult = z
  .object({
    token: z.string().describe('Send as `Authorization: Bearer <token>`; shown only in this response'),
    user: UserResource,
  })
  .openapi('AuthResult')

export const MeResource = z
  .object({
    user: UserResource,
    credential: z.object({
      kind: z.enum(['session', 'token']).describe('A session from login or sign-up, or a personal access token'),
      organizationId: z.string().uuid().nullable().describe('The only organization a scoped token reaches'),
      permissions: z.array(z.string()).nullable().describe('The most a scoped token may do'),
    }),
  })
  .openapi('Me')

export const OrganizationResource = z
  .object({
    id,
    name: z.string(),
    slug: z.string(),
    status: z.enum(ORGANIZATION_STATUSES).describe('A suspended organization is read-only for its members'),
    role: z.string().describe("The caller's role key in the organization"),
    roleName: z.string(),
  })
  .openapi('Organization')

export const WorkspaceResource = z
  .object({
    id,
    organizationId: id,
    name: z.string(),
    slug: z.string(),
    description: z.string(),
    icon: z.string(),
    color: z.string(),
    isDefault: z.boolean().describe('Exactly one workspace of an organization is its default'),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi('Workspace')
export const WorkspaceListItem = WorkspaceResource.extend({ projectCount: z.number().int() }).openapi('WorkspaceListItem')

export const ProjectResource = z
  .object({
    id,
    organizationId: id,
    workspaceId: id,
    name: z.string(),
    slug: z.string(),
    description: z.string(),
    status: z.enum(['active', 'archived']),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi('Project')

export const GrantResource = z
  .object({
    id,
    role: z.string(),
    roleName: z.string(),
    workspaceId: id.nullable(),
    projectId: id.nullable(),
    resourceName: z.string().describe('The workspace’s or project’s name'),
  })
  .describe('A role held on one workspace or one project, on top of the organization role')
  .openapi('Grant')

export const MemberResource = z
  .object({
    id,
    userId: id,
    name: z.string(),
    email: z.string(),
    role: z.string().describe('The key of the organization role'),
    roleName: z.string(),
    status: z.enum(['invited', 'active', 'suspended']),
    joinedAt: timestamp.nullable(),
    grants: z.array(GrantResource),
  })
  .openapi('Member')

export const InvitationResource = z
  .object({
    id,
    email: z.string(),
    role: z.string(),
    mail: z
      .enum(['sent', 'failed'])
      .describe('Whether the provider took the email. `failed`: the invitation is saved all the same; resend it once the provider is back'),
  })
  .describe('The invitation is mailed to the address; its link is never returned here')
  .openapi('Invitation')

export const PendingInvitationResource = z
  .object({
    id,
    email: z.string(),
    role: z.string(),
    roleName: z.string(),
    invitedBy: z.string().nullable().describe('The inviter’s name; null once their account is gone'),
    expiresAt: timestamp.describe('An expired invitation stays listed until it is resent or revoked'),
    createdAt: timestamp,
  })
  .openapi('PendingInvitation')

const PermissionOrigin = z
  .object({
    role: z.string(),
    roleName: z.string(),
    scope: z.enum(['organization', 'workspace', 'project']),
    workspaceId: id.nullable(),
    projectId: id.nullable(),
    resourceName: z.string().nullable().describe('The workspace or project a grant is on; null for the organization role'),
  })
  .openapi('PermissionOrigin')

export const PermissionTraceResource = z
  .object({
    memberId: id,
    permissions: z.array(
      z.object({
        permission: z.string(),
        label: z.string(),
        sources: z.array(PermissionOrigin).describe('Every role that gives it: the organization role, grants on workspaces or projects'),
      }),
    ),
  })
  .openapi('PermissionTrace')

export const RoleResource = z
  .object({
    id,
    key: z.string().describe('What memberships and invitations refer to: owner, admin, member, or a custom role’s id'),
    name: z.string(),
    description: z.string(),
    permissions: z.array(z.string()),
    isBuiltin: z.boolean(),
  })
  .openapi('Role')
export const RoleListItem = RoleResource.extend({ holders: z.number().int() }).openapi('RoleListItem')

export const AuditLogResource = z
  .object({
    id,
    action: z.string().describe('`resource.verb`: `workspace.created`, `member.role_changed`, `permission.denied`, …'),
    resourceType: z.string(),
    resourceId: z.string().nullable(),
    result: z.enum(AUDIT_RESULTS).describe('failure: refused (a missing permission, a limit); error: failed while running'),
    details: z.record(z.unknown()).describe('What the action recorded: names, old and new values'),
    actor: z
      .object({ id, name: z.string().nullable(), email: z.string().nullable() })
      .nullable()
      .describe('Who acted; null once the account is deleted. Name and email are null when the caller no longer shares an organization with them'),
    ipAddress: z.string().nullable(),
    userAgent: z.string().nullable(),
    createdAt: timestamp,
  })
  .openapi('AuditLogEntry')

export const Meta = z.object({ total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }).openapi('Meta')
export const Links = z.object({ self: z.string(), next: z.string().optional(), prev: z.string().optional() }).openapi('Links')

export const ErrorEnvelope = z
  .object({
    error: z.object({
      code: z.string().describe('Stable, machine-readable: NOT_FOUND, VALIDATION_FAILED, …'),
      message: z.string(),
      details: z.record(z.unknown()).describe('For VALIDATION_FAILED and INVALID_QUERY: field → messages'),
      traceId: z.string().describe('Also in the x-request-id header; quote it when reporting a problem'),
    }),
  })
  .openapi('Error')

export const dataOf = <T extends z.ZodTypeAny>(schema: T) => z.object({ data: schema })
export const pageOf = <T extends z.ZodTypeAny>(schema: T) => z.object({ data: z.array(schema), meta: Meta, links: Links })

export const AuditRetentionInput = z
  .object({
    days: z.number().int().min(1).nullable().describe('Days to keep entries, at most the operator’s maximum; null = as long as the maximum'),
  })
  .openapi('AuditRetentionInput')

export const AuditRetention = AuditRetentionInput.extend({
  maximumDays: z.number().int().describe('The longest retention the operator allows (AUDIT_RETENTION_MAX_DAYS)'),
}).openapi('AuditRetention')
