/**
 * Every table that holds tenant data. The schema catalog test fails when a
 * migration adds one that is not listed here, and the isolation test attacks
 * each of them, so a new table cannot skip either.
 */
export const TENANT_TABLES = [
  'organizations',
  'roles',
  'organization_members',
  'workspaces',
  'projects',
  'role_grants',
  'invitations',
  'audit_logs',
  'audit_chain_heads',
  'audit_checkpoints',
  'security_events',
] as const
export type TenantTable = (typeof TENANT_TABLES)[number]
