import { type LoaderFunctionArgs } from '@remix-run/node'
import { Outlet } from '@remix-run/react'
import { requireProject } from '~/access/resources.server'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { project } = await requireProject(request, params, context)
  return { project }
}

export default function ProjectLayout() {
  return <Outlet />
}
