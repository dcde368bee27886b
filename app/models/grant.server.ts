/**
 * Scoped grants: a role a member holds on one workspace or one project, on
 * top of their organization role.
 */
import { z } from 'zod'
import { DomainError } from '~/lib/errors'
import { toPage, type ListQuery, type Page } from '~/lib/pagination'
import { holdsAll } from '~/lib/permissions'
import { isUuid } from '~/lib/validation'
import { writeAudit } from './audit.server'
import { sql, withTenant, type TenantActor } from './db.server'
import { requireGrantableRole, targetFor } from './member.server'

/** Gives the member a role on one workspace or project (replacing the role they held there); returns the grant's id. */
export function addGrant(
  actor: TenantActor,
  held: readonly string[],
  memberId: string,
  grant: { role: string; workspaceId?: string; projectId?: string },
): Promise<string> {
  return withTenant(actor, async (tx) => {
    await targetFor(tx, actor, held, memberId)
    await requireGrantableRole(tx, actor, held, grant.role)
    const id = await tx.maybeOneFirst(sql.type(z.object({ id: z.string() }))`
      insert into role_grants (organization_id, member_id, role, workspace_id, project_id)
      select ${actor.organizationId}, ${memberId}, ${grant.role}, ${grant.workspaceId ?? null}, ${grant.projectId ?? null}
      where exists (select 1 from workspaces where organization_id = ${actor.organizationId} and id = ${grant.workspaceId ?? null})
         or exists (select 1 from projects where organization_id = ${actor.organizationId} and id = ${grant.projectId ?? null})
      on conflict (organization_id, member_id, coalesce(workspace_id, project_id)) do update set role = excluded.role
      returning id`)
    if (!id) {
      throw new DomainError(
        'Choose a workspace or project of this organization',
        grant.workspaceId ? 'workspaceId' : 'projectId',
        'VALIDATION_FAILED',
      )
    }
    await writeAudit(tx, actor, { action: 'member.grant_added', resourceType: 'member', resourceId: memberId, details: { ...grant, grantId: id } })
    return id
  })
}

/** Takes a grant away: like giving it, only for a role within the actor's own permissions. */
export function removeGrant(actor: TenantActor, held: readonly string[], memberId: string, grantId: string): Promise<void> {
  return withTenant(actor, async (tx) => {
    await targetFor(tx, actor, held, memberId)
    const permissions = isUuid(grantId)
      ? await tx.maybeOneFirst(sql.type(z.object({ permissions: z.array(z.string()) }))`
          select r.permissions from role_grants g join roles r on r.organization_id = g.organization_id and r.key = g.role
          where g.organization_id = ${actor.organizationId} and g.member_id = ${memberId} and g.id = ${grantId}`)
      : null
    if (!permissions) throw new DomainError('Grant not found', undefined, 'NOT_FOUND')
    if (!holdsAll(held, permissions)) throw new DomainError('You cannot take away a role with permissions you do not hold', undefined, 'ESCALATION')
    await tx.query(sql.unsafe`delete from role_grants where organization_id = ${actor.organizationId} and id = ${grantId}`)
    await writeAudit(tx, actor, { action: 'member.grant_removed', resourceType: 'member', resourceId: memberId, details: { grantId } })
  })
}

const GrantTarget = z.object({ kind: z.enum(['workspace', 'project']), id: z.string(), name: z.string() })
export type GrantTarget = z.infer<typeof GrantTarget>

/**
 * Workspaces and projects a grant can point at, whose name (or, for a
 * project, its workspace's) contains `search`, by name: one page of them, so
 * that every one of any number can be reached. Projects read "Workspace / Project".
 */
export function searchGrantTargets(actor: TenantActor, search: string, query: ListQuery): Promise<Page<GrantTarget>> {
  const needle = search.trim().toLowerCase()
  return withTenant(actor, async (tx) => {
    const rows = await tx.any(sql.type(GrantTarget.extend({ total: z.number() }))`
      select kind, id, name, count(*) over () as total from (
        select 'workspace' as kind, w.id, w.name from workspaces w
        where w.organization_id = ${actor.organizationId} and strpos(lower(w.name), ${needle}) > 0
        union all
        select 'project', p.id, w.name || ' / ' || p.name from projects p
        join workspaces w on w.organization_id = p.organization_id and w.id = p.workspace_id
        where p.organization_id = ${actor.organizationId} and strpos(lower(w.name || ' / ' || p.name), ${needle}) > 0
      ) targets
      order by lower(name), kind desc, id
      limit ${query.pageSize} offset ${(query.page - 1) * query.pageSize}`)
    // Past the last page no row carries the total: such a page is simply empty.
    return toPage(
      rows.map(({ kind, id, name }) => ({ kind, id, name })),
      rows[0]?.total ?? 0,
      query,
    )
  })
}
