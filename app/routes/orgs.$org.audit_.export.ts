import { type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { auditExportResponse } from '~/access/audit-export.server'
import { requireTenant } from '~/access/tenant.server'
import { givenFilters } from '~/lib/filters'
import { AuditExportQuery } from '~/models/audit-export.server'
import { backwardRange } from '~/models/audit.server'

/**
 * The audit page's export link: the page's filters and a format, as a plain
 * link (no JavaScript). Filters that do not read go back to the page, which
 * shows why.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  const url = new URL(request.url)
  const parsed = AuditExportQuery.safeParse(givenFilters(Object.fromEntries(url.searchParams)))
  if (!parsed.success || backwardRange(parsed.data)) {
    url.searchParams.delete('format')
    throw redirect(`/orgs/${tenant.organization.slug}/audit${url.search}`)
  }
  const { format, ...filters } = parsed.data
  return auditExportResponse(tenant, format, filters, request, context)
}
