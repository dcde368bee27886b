import { requirePermission, requireProjectList } from '~/access/tenant.server'
import { readBody } from '~/api/body.server'
import { apiCreated } from '~/api/envelope.server'
import { apiPage, parseApiListQuery } from '~/api/pagination.server'
import { presentProject } from '~/api/present.server'
import { requireApiWorkspace } from '~/api/principal.server'
import { apiRoute } from '~/api/route.server'
import { ProjectBody } from '~/api/schemas.server'
import { createProject, listProjects } from '~/models/project.server'

const { loader, action } = apiRoute({
  /** The workspace's projects, archived ones last. */
  async GET(args) {
    const { tenant, workspace } = await requireApiWorkspace(args)
    await requireProjectList(tenant, workspace.id)
    const query = parseApiListQuery(args.request)
    return apiPage(args.request, await listProjects(tenant.actor, workspace.id, query), query, presentProject)
  },

  async POST(args) {
    const { tenant, workspace } = await requireApiWorkspace(args)
    await requirePermission(tenant, 'project:create', { workspaceId: workspace.id })
    const project = await createProject(tenant.actor, workspace.id, await readBody(args.request, ProjectBody))
    return apiCreated(presentProject(project), `/api/organizations/${tenant.organization.id}/workspaces/${workspace.id}/projects/${project.id}`)
  },
})
export { loader, action }
