import { type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import type { ReactNode } from 'react'
import { requirePermission, requireTenant } from '~/access/tenant.server'
import { SeverityBadge, TYPE_LABELS } from '~/components/security-events'
import { Breadcrumbs, PageHeader } from '~/components/ui'
import { formatUtc } from '~/lib/dates'
import { notFound } from '~/lib/errors'
import { findSecurityEvent } from '~/models/security-event.server'

export const meta: MetaFunction = () => [{ title: 'Security event · NextSaaS' }]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  await requirePermission(tenant, 'security:view')
  // Another organization's event is as absent as one that never existed.
  const event = await findSecurityEvent(tenant.actor, params.eventId ?? '')
  if (!event) throw notFound('Security event not found')
  return { event, organization: tenant.organization }
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-3 gap-4 px-4 py-3">
      <dt className="text-sm font-medium text-slate-600">{label}</dt>
      <dd className="col-span-2 break-words text-sm">{children}</dd>
    </div>
  )
}

export default function SecurityEventDetail() {
  const { event, organization } = useLoaderData<typeof loader>()
  const details = event.details as { field?: string; in_name?: boolean; trace_id?: string }
  return (
    <section>
      <Breadcrumbs items={[{ to: `/orgs/${organization.slug}/security`, label: 'Security events' }, { label: event.ruleId }]} />
      <PageHeader title={TYPE_LABELS[event.type]} subtitle={<SeverityBadge severity={event.severity} />} />
      <dl className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
        <Row label="Rule">
          <code>{event.ruleId}</code>
        </Row>
        <Row label="Outcome">{event.blocked ? 'Blocked (403)' : 'Recorded only'}</Row>
        <Row label="Requests">{event.count === 1 ? 'One request' : `${event.count} requests in this minute`}</Row>
        <Row label="First seen">{formatUtc(event.createdAt, { seconds: true })}</Row>
        <Row label="Last seen">{formatUtc(event.lastSeenAt, { seconds: true })}</Row>
        <Row label="Where">
          {event.location ?? '–'}
          {details.field ? (
            <>
              {' '}
              · <code>{details.field}</code>
              {details.in_name ? ' (the name itself)' : ''}
            </>
          ) : null}
        </Row>
        <Row label="Sample">
          <pre className="whitespace-pre-wrap break-all rounded bg-slate-50 p-2 font-mono text-xs">{event.sample ?? '–'}</pre>
        </Row>
        <Row label="Endpoint">
          <code>{event.endpoint ?? '–'}</code>
        </Row>
        <Row label="IP address">
          <code>{event.ipAddress ?? '–'}</code>
        </Row>
        <Row label="User">{event.userEmail ?? 'Not signed in'}</Row>
        <Row label="Trace id">
          <code>{details.trace_id ?? '–'}</code>
        </Row>
      </dl>
    </section>
  )
}
