import { z } from 'zod'
import { DomainError } from '~/lib/errors'
import { toPage, type ListQuery, type Page } from '~/lib/pagination'
import { isSlug, slugify } from '~/lib/slug'
import { isUuid } from '~/lib/validation'
import { projects } from '../../db/types/public/Projects'
import { writeAudit } from './audit.server'
import { withSlugCheck } from './constraints.server'
import { sql, withTenant, type TenantActor } from './db.server'

export const Project = projects.omit({ settings: true })
export type Project = z.infer<typeof Project>
const ProjectRow = Project.extend({ total: z.number() })

export const PROJECT_COLUMNS = sql.fragment`p.organization_id, p.id, p.workspace_id, p.name, p.slug, p.description, p.status, p.created_at, p.updated_at`
const ORDER = { name: sql.fragment`lower(p.name), p.id`, recent: sql.fragment`p.created_at desc, p.id` }
const SLUG_TAKEN = 'Another project in this workspace already uses this slug'
const SLUG_KEY = 'projects_organization_id_workspace_id_slug_key'

export interface ProjectInput {
  name: string
  slug?: string
  description?: string
}

export function listProjects(actor: TenantActor, workspaceId: string, query: ListQuery): Promise<Page<Project>> {
  return withTenant(actor, async (tx) => {
    const rows = await tx.any(sql.type(ProjectRow)`
      select ${PROJECT_COLUMNS}, count(*) over () as total
      from projects p
      where p.organization_id = ${actor.organizationId} and p.workspace_id = ${workspaceId}
      order by p.status = 'archived', ${ORDER[query.sort]}
      limit ${query.pageSize} offset ${(query.page - 1) * query.pageSize}`)
    const total =
      rows[0]?.total ??
      (await tx.oneFirst(sql.type(z.object({ n: z.number() }))`
        select count(*) as n from projects where organization_id = ${actor.organizationId} and workspace_id = ${workspaceId}`))
    return toPage(
      rows.map(({ total: _, ...project }) => project),
      total,
      query,
    )
  })
}

export function findProject(actor: TenantActor, workspaceId: string, slug: string): Promise<Project | null> {
  if (!isSlug(slug)) return Promise.resolve(null)
  return withTenant(actor, (tx) =>
    tx.maybeOne(sql.type(Project)`
      select ${PROJECT_COLUMNS} from projects p
      where p.organization_id = ${actor.organizationId} and p.workspace_id = ${workspaceId} and p.slug = ${slug}`),
  )
}

export function createProject(actor: TenantActor, workspaceId: string, input: ProjectInput): Promise<Project> {
  return withTenant(actor, async (tx) => {
    const project = await withSlugCheck(SLUG_KEY, SLUG_TAKEN, () =>
      tx.one(sql.type(Project)`
        insert into projects as p (organization_id, workspace_id, name, slug, description)
        values (${actor.organizationId}, ${workspaceId}, ${input.name}, ${input.slug || slugify(input.name, 'project')}, ${input.description ?? ''})
        returning ${PROJECT_COLUMNS}`),
    )
    await writeAudit(tx, actor, {
      action: 'project.created',
      resourceType: 'project',
      resourceId: project.id,
      details: { name: project.name, slug: project.slug, workspaceId },
    })
    return project
  })
}

export function updateProject(actor: TenantActor, id: string, input: ProjectInput): Promise<Project> {
  return withTenant(actor, async (tx) => {
    const project = await withSlugCheck(SLUG_KEY, SLUG_TAKEN, () =>
      tx.maybeOne(sql.type(Project)`
        update projects as p
        set name = ${input.name}, slug = ${input.slug || slugify(input.name, 'project')}, description = ${input.description ?? ''}
        where p.organization_id = ${actor.organizationId} and p.id = ${id}
        returning ${PROJECT_COLUMNS}`),
    )
    if (!project) throw new DomainError('Project not found', undefined, 'NOT_FOUND')
    await writeAudit(tx, actor, {
      action: 'project.updated',
      resourceType: 'project',
      resourceId: id,
      details: { ...input, workspaceId: project.workspace_id },
    })
    return project
  })
}

export function setProjectStatus(actor: TenantActor, id: string, status: 'active' | 'archived'): Promise<void> {
  return withTenant(actor, async (tx) => {
    const workspaceId = await tx.maybeOneFirst(sql.type(z.object({ workspace_id: z.string() }))`
      update projects set status = ${status} where organization_id = ${actor.organizationId} and id = ${id} returning workspace_id`)
    if (!workspaceId) throw new DomainError('Project not found', undefined, 'NOT_FOUND')
    await writeAudit(tx, actor, {
      action: status === 'archived' ? 'project.archived' : 'project.unarchived',
      resourceType: 'project',
      resourceId: id,
      details: { workspaceId },
    })
  })
}

export function deleteProject(actor: TenantActor, id: string): Promise<void> {
  return withTenant(actor, async (tx) => {
    const deleted = await tx.maybeOne(sql.type(z.object({ name: z.string(), slug: z.string(), workspaceId: z.string() }))`
      delete from projects where organization_id = ${actor.organizationId} and id = ${id} returning name, slug, workspace_id as "workspaceId"`)
    if (!deleted) throw new DomainError('Project not found', undefined, 'NOT_FOUND')
    await writeAudit(tx, actor, { action: 'project.deleted', resourceType: 'project', resourceId: id, details: deleted })
  })
}

/** A project of this workspace by id (the JSON API's address for it), or null. */
export function findProjectById(actor: TenantActor, workspaceId: string, id: string): Promise<Project | null> {
  if (!isUuid(id)) return Promise.resolve(null)
  return withTenant(actor, (tx) =>
    tx.maybeOne(sql.type(Project)`
      select ${PROJECT_COLUMNS} from projects p
      where p.organization_id = ${actor.organizationId} and p.workspace_id = ${workspaceId} and p.id = ${id}`),
  )
}
