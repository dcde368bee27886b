import { z } from 'zod'
import { sql, withTenant, type Actor } from './db.server'

const WorkspaceCard = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  description: z.string(),
  icon: z.string(),
  color: z.string(),
  isDefault: z.boolean(),
  projectCount: z.number(),
})
export type WorkspaceCard = z.infer<typeof WorkspaceCard>

/** The organization's workspaces as cards, default first. */
export function listWorkspaces(actor: Actor & { organizationId: string }): Promise<readonly WorkspaceCard[]> {
  return withTenant(actor, (tx) =>
    tx.any(sql.type(WorkspaceCard)`
      select w.id, w.name, w.slug, w.description, w.icon, w.color, w.is_default as "isDefault",
             (select count(*) from projects p where p.organization_id = w.organization_id and p.workspace_id = w.id) as "projectCount"
      from workspaces w
      where w.organization_id = ${actor.organizationId}
      order by w.is_default desc, lower(w.name), w.id`),
  )
}
