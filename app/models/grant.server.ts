/**
 * Scoped grants: a role a member holds on one workspace or one project, on
 * top of their organization role.
 */
import { z } from 'zod'
import { DomainError } from '~/lib/errors'
import { writeAudit } from './audit.server'
import { sql, withTenant, type TenantActor } from './db.server'
import { requireGrantableRole, targetFor } from './member.server'

export function addGrant(
  actor: TenantActor,
  held: readonly string[],
  memberId: string,
  grant: { role: string; workspaceId?: string; projectId?: string },
): Promise<void> {
  return withTenant(actor, async (tx) => {
    await targetFor(tx, actor, held, memberId)
    await requireGrantableRole(tx, actor, held, grant.role)
    const result = await tx.query(sql.unsafe`
      insert into role_grants (organization_id, member_id, role, workspace_id, project_id)
      select ${actor.organizationId}, ${memberId}, ${grant.role}, ${grant.workspaceId ?? null}, ${grant.projectId ?? null}
      where exists (select 1 from workspaces where organization_id = ${actor.organizationId} and id = ${grant.workspaceId ?? null})
         or exists (select 1 from projects where organization_id = ${actor.organizationId} and id = ${grant.projectId ?? null})
      on conflict (organization_id, member_id, coalesce(workspace_id, project_id)) do update set role = excluded.role`)
    if (result.rowCount !== 1) throw new DomainError('Choose a workspace or project of this organization', 'resource', 'VALIDATION_FAILED')
    await writeAudit(tx, actor, { action: 'member.grant_added', resourceType: 'member', resourceId: memberId, details: grant })
  })
}

export function removeGrant(actor: TenantActor, held: readonly string[], memberId: string, grantId: string): Promise<void> {
  return withTenant(actor, async (tx) => {
    await targetFor(tx, actor, held, memberId)
    const removed = await tx.query(sql.unsafe`
      delete from role_grants where organization_id = ${actor.organizationId} and member_id = ${memberId} and id = ${grantId}`)
    if (removed.rowCount !== 1) throw new DomainError('Grant not found', undefined, 'NOT_FOUND')
    await writeAudit(tx, actor, { action: 'member.grant_removed', resourceType: 'member', resourceId: memberId, details: { grantId } })
  })
}

const GrantTarget = z.object({ kind: z.enum(['workspace', 'project']), id: z.string(), name: z.string() })

/** Workspaces and projects a grant can point at, for the grant form (first 200 of each). */
export function listGrantTargets(actor: TenantActor): Promise<readonly z.infer<typeof GrantTarget>[]> {
  return withTenant(actor, (tx) =>
    tx.any(sql.type(GrantTarget)`
      (select 'workspace' as kind, id, name from workspaces where organization_id = ${actor.organizationId} order by lower(name) limit 200)
      union all
      (select 'project', p.id, w.name || ' / ' || p.name from projects p
        join workspaces w on w.organization_id = p.organization_id and w.id = p.workspace_id
        where p.organization_id = ${actor.organizationId} order by lower(w.name), lower(p.name) limit 200)`),
  )
}
