import { requirePermission } from '~/access/tenant.server'
import { readBody } from '~/api/body.server'
import { apiCreated } from '~/api/envelope.server'
import { apiPage, parseApiListQuery } from '~/api/pagination.server'
import { presentWorkspace } from '~/api/present.server'
import { requireApiTenant } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { WorkspaceBody } from '~/api/schemas.server'
import { createWorkspace, listWorkspaces } from '~/models/workspace.server'

const { loader, action } = apiRoute({
  /** The organization's workspaces, the default first (sort=name) or newest first (sort=recent). */
  async GET(args) {
    const tenant = await requireApiTenant(args)
    await requirePermission(tenant, 'workspace:view')
    const query = parseApiListQuery(args.request)
    return apiPage(args.request, await listWorkspaces(tenant.actor, query), query, presentWorkspace)
  },

  async POST(args) {
    const tenant = await requireApiTenant(args)
    await requirePermission(tenant, 'workspace:create')
    const workspace = await createWorkspace(tenant.actor, await readBody(args.request, WorkspaceBody))
    return apiCreated(presentWorkspace(workspace), `/api/organizations/${tenant.organization.id}/workspaces/${workspace.id}`)
  },
})
export { loader, action }
