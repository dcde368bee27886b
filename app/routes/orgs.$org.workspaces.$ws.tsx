import { type LoaderFunctionArgs } from '@remix-run/node'
import { Outlet, useLoaderData, useRouteError } from '@remix-run/react'
import { requireWorkspace } from '~/access/resources.server'
import { useOrganization } from '~/access/tenant'
import { ErrorPage } from '~/components/error-page'
import { Breadcrumbs } from '~/components/ui'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { workspace } = await requireWorkspace(request, params, context)
  return { workspace }
}

export default function WorkspaceLayout() {
  const { workspace } = useLoaderData<typeof loader>()
  const { organization } = useOrganization()
  return (
    <div>
      <Breadcrumbs
        items={[
          { to: `/orgs/${organization.slug}`, label: 'Workspaces' },
          { to: `/orgs/${organization.slug}/workspaces/${workspace.slug}`, label: workspace.name },
        ]}
      />
      <Outlet />
    </div>
  )
}

export function ErrorBoundary() {
  return <ErrorPage error={useRouteError()} />
}
