import { requirePermission } from '~/access/tenant.server'
import { mergePatch, readBody } from '~/api/body.server'
import { apiData, apiNoContent } from '~/api/envelope.server'
import { presentProject } from '~/api/present.server'
import { requireApiProject } from '~/api/principal.server'
import { apiRoute, type ApiArgs } from '~/api/route.server'
import { ProjectBody, ProjectPatchBody } from '~/api/schemas.server'
import { notFound } from '~/lib/errors'
import type { Permission } from '~/lib/permissions'
import { deleteProject, findProjectById, setProjectStatus, updateProject } from '~/models/project.server'

async function projectFor(args: ApiArgs, permission: Permission) {
  const scope = await requireApiProject(args)
  await requirePermission(scope.tenant, permission, { workspaceId: scope.workspace.id, projectId: scope.project.id })
  return scope
}

const { loader, action } = apiRoute({
  async GET(args) {
    const { project } = await projectFor(args, 'project:view')
    return apiData(presentProject(project))
  },

  /** Changes the fields given (name, slug, description, status); the others keep their value. */
  async PATCH(args) {
    const { tenant, workspace, project } = await projectFor(args, 'project:update')
    const { status, ...fields } = await readBody(args.request, ProjectPatchBody)
    if (Object.keys(fields).length > 0) {
      const { name, slug, description } = project
      await updateProject(tenant.actor, project.id, mergePatch(ProjectBody, { name, slug, description }, fields))
    }
    if (status && status !== project.status) await setProjectStatus(tenant.actor, project.id, status)
    const saved = await findProjectById(tenant.actor, workspace.id, project.id)
    if (!saved) throw notFound('Project not found')
    return apiData(presentProject(saved))
  },

  async DELETE(args) {
    const { tenant, project } = await projectFor(args, 'project:delete')
    await deleteProject(tenant.actor, project.id)
    return apiNoContent()
  },
})
export { loader, action }
