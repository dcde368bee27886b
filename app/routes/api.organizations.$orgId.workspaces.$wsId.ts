import { requirePermission } from '~/access/tenant.server'
import { mergePatch, readBody } from '~/api/body.server'
import { apiData, apiNoContent } from '~/api/envelope.server'
import { presentWorkspace } from '~/api/present.server'
import { requireApiWorkspace } from '~/api/principal.server'
import { apiRoute, type ApiArgs } from '~/api/route.server'
import { WorkspaceBody, WorkspacePatchBody } from '~/api/schemas.server'
import { workspaceDeletionScope, type Permission } from '~/lib/permissions'
import { deleteWorkspace, updateWorkspace } from '~/models/workspace.server'

async function workspaceFor(args: ApiArgs, permission: Permission) {
  const scope = await requireApiWorkspace(args)
  await requirePermission(scope.tenant, permission, { workspaceId: scope.workspace.id })
  return scope
}

const { loader, action } = apiRoute({
  /** The workspace, for whoever may see it (a grant on one of its projects shows it too). */
  async GET(args) {
    const { workspace } = await requireApiWorkspace(args)
    return apiData(presentWorkspace(workspace))
  },

  /** Replaces the workspace's fields: those left out take their defaults (a slug from the name). */
  async PUT(args) {
    const { tenant, workspace } = await workspaceFor(args, 'workspace:update')
    const input = await readBody(args.request, WorkspaceBody)
    return apiData(presentWorkspace(await updateWorkspace(tenant.actor, workspace.id, input)))
  },

  /** Changes the fields given; the others keep their value. */
  async PATCH(args) {
    const { tenant, workspace } = await workspaceFor(args, 'workspace:update')
    const { name, slug, description, icon, color } = workspace
    const input = mergePatch(WorkspaceBody, { name, slug, description, icon, color }, await readBody(args.request, WorkspacePatchBody))
    return apiData(presentWorkspace(await updateWorkspace(tenant.actor, workspace.id, input)))
  },

  /** Deletes the workspace and its projects; the only workspace of an organization stays (409). */
  async DELETE(args) {
    const { tenant, workspace } = await requireApiWorkspace(args)
    await requirePermission(tenant, 'workspace:delete', workspaceDeletionScope(workspace))
    await deleteWorkspace(tenant.actor, workspace.id)
    return apiNoContent()
  },
})
export { loader, action }
