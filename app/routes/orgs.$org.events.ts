import type { LoaderFunctionArgs } from '@remix-run/node'
import { requireTenant } from '~/access/tenant.server'
import { cookieCredential } from '~/auth/session.server'
import { liveUpdatesResponse } from '~/server/live-updates.server'

/** The organization's live updates for the signed-in member (text/event-stream; see server/live-updates.server.ts). */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  return liveUpdatesResponse(context, request, tenant, cookieCredential(request))
}
