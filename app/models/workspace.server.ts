import { z } from 'zod'
import { DomainError } from '~/lib/errors'
import type { ListQuery, Page } from '~/lib/pagination'
import { toPage } from '~/lib/pagination'
import { isSlug, slugify } from '~/lib/slug'
import { isUuid } from '~/lib/validation'
import { workspaces } from '../../db/types/public/Workspaces'
import { writeAudit } from './audit.server'
import { withSlugCheck } from './constraints.server'
import { sql, withTenant, type TenantActor, type Tx } from './db.server'

export const Workspace = workspaces.omit({ settings: true })
export type Workspace = z.infer<typeof Workspace>
const WorkspaceCard = Workspace.extend({ project_count: z.number(), total: z.number() })
export type WorkspaceCard = Omit<z.infer<typeof WorkspaceCard>, 'total'>

export const WORKSPACE_COLUMNS = sql.fragment`w.organization_id, w.id, w.name, w.slug, w.description, w.icon, w.color, w.is_default, w.created_at, w.updated_at`
const ORDER = { name: sql.fragment`w.is_default desc, lower(w.name), w.id`, recent: sql.fragment`w.created_at desc, w.id` }

export interface WorkspaceInput {
  name: string
  slug?: string
  description?: string
  icon?: string
  color?: string
}

/** The organization's workspaces as cards (with project counts), one page at a time. */
export function listWorkspaces(actor: TenantActor, query: ListQuery): Promise<Page<WorkspaceCard>> {
  return withTenant(actor, async (tx) => {
    const rows = await tx.any(sql.type(WorkspaceCard)`
      select ${WORKSPACE_COLUMNS}, count(*) over () as total,
             -- The organization by value, not w.organization_id: a router query on Citus.
             (select count(*) from projects p where p.organization_id = ${actor.organizationId} and p.workspace_id = w.id) as project_count
      from workspaces w
      where w.organization_id = ${actor.organizationId}
      order by ${ORDER[query.sort]}
      limit ${query.pageSize} offset ${(query.page - 1) * query.pageSize}`)
    const total = rows[0]?.total ?? (query.page > 1 ? await countWorkspaces(tx, actor.organizationId) : 0)
    return toPage(
      rows.map(({ total: _, ...card }) => card),
      total,
      query,
    )
  })
}

async function countWorkspaces(tx: Tx, organizationId: string) {
  return tx.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*) as n from workspaces where organization_id = ${organizationId}`)
}

export function findWorkspace(actor: TenantActor, slug: string): Promise<Workspace | null> {
  if (!isSlug(slug)) return Promise.resolve(null)
  return withTenant(actor, (tx) =>
    tx.maybeOne(sql.type(Workspace)`
      select ${WORKSPACE_COLUMNS} from workspaces w where w.organization_id = ${actor.organizationId} and w.slug = ${slug}`),
  )
}

const SLUG_TAKEN = 'Another workspace in this organization already uses this slug'

export function createWorkspace(actor: TenantActor, input: WorkspaceInput): Promise<Workspace> {
  return withTenant(actor, async (tx) => {
    const slug = input.slug || slugify(input.name, 'workspace')
    const workspace = await withSlugCheck('workspaces_organization_id_slug_key', SLUG_TAKEN, () =>
      tx.one(sql.type(Workspace)`
        insert into workspaces as w (organization_id, name, slug, description, icon, color)
        values (${actor.organizationId}, ${input.name}, ${slug}, ${input.description ?? ''},
                ${input.icon || '🏢'}, ${input.color || '#3B82F6'})
        returning ${WORKSPACE_COLUMNS}`),
    )
    await writeAudit(tx, actor, {
      action: 'workspace.created',
      resourceType: 'workspace',
      resourceId: workspace.id,
      details: { name: workspace.name, slug: workspace.slug },
    })
    return workspace
  })
}

export function updateWorkspace(actor: TenantActor, id: string, input: WorkspaceInput): Promise<Workspace> {
  return withTenant(actor, async (tx) => {
    const workspace = await withSlugCheck('workspaces_organization_id_slug_key', SLUG_TAKEN, () =>
      tx.maybeOne(sql.type(Workspace)`
        update workspaces as w
        set name = ${input.name}, slug = ${input.slug || slugify(input.name, 'workspace')},
            description = ${input.description ?? ''}, icon = ${input.icon || '🏢'}, color = ${input.color || '#3B82F6'}
        where w.organization_id = ${actor.organizationId} and w.id = ${id}
        returning ${WORKSPACE_COLUMNS}`),
    )
    if (!workspace) throw new DomainError('Workspace not found', undefined, 'NOT_FOUND')
    await writeAudit(tx, actor, {
      action: 'workspace.updated',
      resourceType: 'workspace',
      resourceId: id,
      details: { ...input },
    })
    return workspace
  })
}

/** Makes this workspace the organization's default (there is always exactly one). */
export function makeDefaultWorkspace(actor: TenantActor, id: string): Promise<void> {
  return withTenant(actor, async (tx) => {
    const previousDefaultIds = await tx.anyFirst(sql.type(z.object({ id: z.string() }))`
      update workspaces set is_default = false where organization_id = ${actor.organizationId} and is_default and id <> ${id} returning id`)
    const updated = await tx.query(sql.unsafe`update workspaces set is_default = true where organization_id = ${actor.organizationId} and id = ${id}`)
    if (updated.rowCount !== 1) throw new DomainError('Workspace not found', undefined, 'NOT_FOUND')
    await writeAudit(tx, actor, { action: 'workspace.made_default', resourceType: 'workspace', resourceId: id, details: { previousDefaultIds } })
  })
}

/**
 * Deletes a workspace and its projects. The last workspace cannot go; when the
 * default goes, the oldest remaining workspace becomes the default.
 */
export function deleteWorkspace(actor: TenantActor, id: string): Promise<void> {
  return withTenant(actor, async (tx) => {
    const target = await tx.maybeOne(sql.type(Workspace)`
      select ${WORKSPACE_COLUMNS} from workspaces w where w.organization_id = ${actor.organizationId} and w.id = ${id} for update`)
    if (!target) throw new DomainError('Workspace not found', undefined, 'NOT_FOUND')
    // The projects that go with it, even those the actor cannot see, are named in the audit row (live updates on Citus announce them from there).
    const { others, projectIds } = await tx.one(sql.type(z.object({ others: z.number(), projectIds: z.array(z.string()) }))`
      select (select count(*) from workspaces where organization_id = ${actor.organizationId} and id <> ${id}) as others,
             coalesce(public.workspace_project_ids(${actor.organizationId}, ${id}), '{}') as "projectIds"`)
    if (others === 0) throw new DomainError('The only workspace of an organization cannot be deleted.', undefined, 'LAST_WORKSPACE')

    const deleted = await tx.query(sql.unsafe`delete from workspaces where organization_id = ${actor.organizationId} and id = ${id}`)
    if (deleted.rowCount !== 1) throw new DomainError('Workspace not found', undefined, 'NOT_FOUND')
    let newDefault: string | null = null
    if (target.is_default) {
      newDefault = await tx.oneFirst(sql.type(z.object({ id: z.string() }))`
        update workspaces set is_default = true
        where organization_id = ${actor.organizationId}
          and id = (select id from workspaces where organization_id = ${actor.organizationId} order by created_at, id limit 1)
        returning id`)
    }
    await writeAudit(tx, actor, {
      action: 'workspace.deleted',
      resourceType: 'workspace',
      resourceId: id,
      details: { name: target.name, slug: target.slug, newDefaultWorkspaceId: newDefault, projectIds },
    })
  })
}

/** A workspace of the actor's organization by id (the JSON API's address for it), or null. */
export function findWorkspaceById(actor: TenantActor, id: string): Promise<Workspace | null> {
  if (!isUuid(id)) return Promise.resolve(null)
  return withTenant(actor, (tx) =>
    tx.maybeOne(sql.type(Workspace)`
      select ${WORKSPACE_COLUMNS} from workspaces w where w.organization_id = ${actor.organizationId} and w.id = ${id}`),
  )
}
