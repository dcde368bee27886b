import { getFormProps } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { requirePermission, requireTenant } from '~/access/tenant.server'
import { ErrorList, SubmitButton, TextField, useValidatedForm } from '~/components/forms'
import { PageHeader } from '~/components/ui'
import { invalid, readForm } from '~/lib/forms.server'
import { LIMIT_KEYS, overridesSchema, waitText, type LimitKey } from '~/rate-limit/policies'
import { organizationLimitBounds, rateLimitUsage, saveOrganizationRateLimits } from '~/rate-limit/usage.server'

export const meta: MetaFunction = () => [{ title: 'Usage and rate limits · NextSaaS' }]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  await requirePermission(tenant, 'settings:manage')
  return await rateLimitUsage(tenant, context)
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  await requirePermission(tenant, 'settings:manage')
  const submission = parseWithZod(await readForm(request), { schema: overridesSchema(organizationLimitBounds()) })
  if (submission.status !== 'success') return invalid(submission.reply())
  await saveOrganizationRateLimits(tenant, submission.value)
  return redirect(`/orgs/${encodeURIComponent(tenant.organization.slug)}/settings/usage?saved=1`)
}

const POLICY_LABELS: Record<string, string> = {
  user: 'Your requests',
  'user-burst': 'Your burst allowance',
  organization: 'Organization requests',
  'organization-burst': 'Organization burst allowance',
  invite: 'Invitations',
  export: 'Exports',
  token: 'Your API token creation',
}

const FIELDS: Record<LimitKey, { label: string; window: 'requests' | 'burst' }> = {
  userRequests: { label: 'Requests per member', window: 'requests' },
  userBurst: { label: 'Burst allowance per member', window: 'burst' },
  organizationRequests: { label: 'Requests for the whole organization', window: 'requests' },
  organizationBurst: { label: 'Burst allowance for the organization', window: 'burst' },
}

/** "minute", "10 minutes", "hour": a window in words. */
const per = (seconds: number) => waitText(seconds).replace(/^1 /, '')

export default function Usage() {
  const usage = useLoaderData<typeof loader>()
  const lastResult = useActionData<typeof action>()
  const navigation = useNavigation()
  const [searchParams] = useSearchParams()
  const schema = overridesSchema(usage.maximum)
  const [form, fields] = useValidatedForm({
    id: 'rate-limits',
    schema,
    lastResult,
    defaultValue: Object.fromEntries(LIMIT_KEYS.map((k) => [k, usage.stored[k]?.toString() ?? ''])),
  })
  return (
    <div className="flex flex-col gap-10">
      <section>
        <PageHeader
          title="Usage and rate limits"
          subtitle={
            usage.enabled
              ? `Counted ${usage.store === 'memory' ? 'in each app process' : `across app processes (${usage.store})`}.`
              : 'Rate limiting is turned off on this server.'
          }
        />
        <h2 className="text-lg font-semibold">Now</h2>
        <table className="mt-3 w-full max-w-3xl text-left text-sm">
          <thead className="text-slate-600">
            <tr>
              <th className="py-2 font-medium">Policy</th>
              <th className="py-2 font-medium">Used</th>
              <th className="w-1/3 py-2 font-medium">
                <span className="sr-only">Share used</span>
              </th>
              <th className="py-2 font-medium">Resets in</th>
            </tr>
          </thead>
          <tbody>
            {usage.status.map((o) => {
              const used = o.policy.quota - o.remaining
              const share = o.policy.quota > 0 ? Math.min(100, Math.round((used / o.policy.quota) * 100)) : 100
              return (
                <tr key={o.policy.name} className="border-t border-slate-200" data-testid={`policy-${o.policy.name}`}>
                  <td className="py-2">{POLICY_LABELS[o.policy.name] ?? o.policy.name}</td>
                  <td className="py-2 tabular-nums">{`${used} of ${o.policy.quota} per ${per(o.policy.windowSeconds)}`}</td>
                  <td className="py-2">
                    <div className="h-2 rounded bg-slate-100" role="presentation">
                      <div
                        className={`h-2 rounded ${share >= 100 ? 'bg-red-500' : share >= 80 ? 'bg-amber-500' : 'bg-indigo-500'}`}
                        style={{ width: `${share}%` }}
                      />
                    </div>
                  </td>
                  <td className="py-2 tabular-nums">{used > 0 ? waitText(o.resetSeconds) : '—'}</td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </section>

      <section>
        <h2 className="text-lg font-semibold">Limits reached in the last 24 hours</h2>
        <p className="mt-1 text-sm text-slate-600">Each count is one window in which a limit refused requests.</p>
        <HourlyChart hours={usage.hits.byHour} />
        {usage.hits.byEndpoint.length === 0 ? (
          <p className="mt-3 text-sm text-slate-600">No limit was reached.</p>
        ) : (
          <table className="mt-3 w-full max-w-3xl text-left text-sm">
            <thead className="text-slate-600">
              <tr>
                <th className="py-2 font-medium">Endpoint</th>
                <th className="py-2 font-medium">Policy</th>
                <th className="py-2 font-medium">Times</th>
                <th className="py-2 font-medium">Last</th>
              </tr>
            </thead>
            <tbody>
              {usage.hits.byEndpoint.map((h) => (
                <tr key={`${h.endpoint} ${h.policy}`} className="border-t border-slate-200">
                  <td className="py-2 font-mono text-xs">{h.endpoint}</td>
                  <td className="py-2">{POLICY_LABELS[h.policy] ?? h.policy}</td>
                  <td className="py-2 tabular-nums">{h.hits}</td>
                  <td className="py-2">{new Date(h.lastAt).toISOString().slice(11, 16)} UTC</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section>
        <h2 className="text-lg font-semibold">This organization&apos;s limits</h2>
        <p className="mt-1 max-w-2xl text-sm text-slate-600">Leave a field empty for the default. Changes apply from the next request.</p>
        {searchParams.get('saved') ? (
          <p role="status" className="mt-3 max-w-lg rounded-md bg-green-50 px-3 py-2 text-sm text-green-800">
            Saved. The new limits are in force.
          </p>
        ) : null}
        <Form method="post" {...getFormProps(form)} className="mt-4 flex max-w-lg flex-col gap-2">
          {LIMIT_KEYS.map((key) => (
            <TextField
              key={key}
              label={`${FIELDS[key].label} (per ${per(usage.windowSeconds[FIELDS[key].window])})`}
              field={fields[key]}
              placeholder={String(usage.defaults[key])}
              hint={`In force: ${usage.limits[key]}. Default ${usage.defaults[key]}, at most ${usage.maximum[key]}.`}
            />
          ))}
          <ErrorList id={form.errorId} errors={form.errors} />
          <SubmitButton pending={navigation.state === 'submitting'}>Save limits</SubmitButton>
        </Form>
      </section>
    </div>
  )
}

/** Limited windows per hour, oldest on the left: a small bar chart that needs no script. */
function HourlyChart({ hours }: { hours: readonly { hour: Date; hits: number }[] }) {
  const counts = new Map(hours.map((h) => [h.hour.getTime(), h.hits]))
  const now = new Date()
  now.setUTCMinutes(0, 0, 0)
  const slots = Array.from({ length: 24 }, (_, i) => {
    const at = now.getTime() - (23 - i) * 3_600_000
    return { at, hits: counts.get(at) ?? 0 }
  })
  const highest = Math.max(1, ...slots.map((s) => s.hits))
  return (
    <figure className="mt-4 max-w-3xl">
      <div
        className="flex h-24 items-end gap-1 border-b border-slate-300"
        role="img"
        aria-label={`Limits reached per hour, last 24 hours: ${slots.reduce((n, s) => n + s.hits, 0)} in all`}
      >
        {slots.map((s) => (
          <div
            key={s.at}
            title={`${new Date(s.at).toISOString().slice(11, 16)} UTC: ${s.hits}`}
            className="flex-1 rounded-t bg-red-400"
            style={{ height: `${(s.hits / highest) * 100}%` }}
          />
        ))}
      </div>
      <figcaption className="mt-1 flex justify-between text-xs text-slate-500">
        <span>24 hours ago</span>
        <span>now</span>
      </figcaption>
    </figure>
  )
}
