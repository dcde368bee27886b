import { getCollectionProps, getFormProps, getSelectProps } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction, data } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { userActor } from '~/access/tenant.server'
import { requireUser } from '~/auth/session.server'
import { ErrorList, Select, SubmitButton, TextField, useValidatedForm } from '~/components/forms'
import { formatUtc } from '~/lib/dates'
import { DomainError } from '~/lib/errors'
import { invalid, readForm } from '~/lib/forms.server'
import { CATALOG, PERMISSIONS } from '~/lib/permissions'
import { NameSchema } from '~/lib/validation'
import { createApiToken, listApiTokens, revokeApiToken } from '~/models/api-token.server'
import { listMyOrganizations } from '~/models/organization.server'
import { enforceUserEndpointLimit } from '~/rate-limit/guards.server'

export const meta: MetaFunction = () => [{ title: 'API tokens · NextSaaS' }]
/** A new token appears in the page once: no cache may keep a copy. */
export const headers: HeadersFunction = () => ({ 'Cache-Control': 'no-store' })

const EXPIRY = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: 'never', label: 'Never' },
] as const

const CreateTokenSchema = z.object({
  intent: z.literal('create'),
  name: NameSchema,
  expiresIn: z.enum(EXPIRY.map((e) => e.value) as ['7', ...string[]], { message: 'Choose when the token expires' }),
  organizationId: z.string().uuid('Choose one of your organizations').optional(),
  permissions: z.array(z.enum(CATALOG as [string, ...string[]], { message: 'Unknown permission' })).optional(),
})
const RevokeSchema = z.object({ intent: z.literal('revoke'), tokenId: z.string().uuid() })

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  const actor = userActor(user, request, context)
  const [tokens, organizations] = await Promise.all([listApiTokens(actor), listMyOrganizations(actor)])
  const now = Date.now()
  return {
    tokens: tokens.map((t) => ({
      id: t.id,
      name: t.name,
      organization: t.organizationId ? (t.organizationName ?? 'an organization you left') : null,
      permissions: t.permissions,
      created: formatUtc(t.createdAt),
      lastUsed: t.lastUsedAt ? formatUtc(t.lastUsedAt) : null,
      expires: t.expiresAt ? formatUtc(t.expiresAt) : null,
      state: (t.revokedAt ? 'revoked' : t.expiresAt && t.expiresAt.getTime() <= now ? 'expired' : 'active') as keyof typeof STATE_STYLES,
    })),
    organizations: organizations.map((o) => ({ id: o.id, name: o.name })),
  }
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context)
  const actor = userActor(user, request, context)
  const formData = await readForm(request)

  if (formData.get('intent') === 'revoke') {
    const submission = parseWithZod(formData, { schema: RevokeSchema })
    if (submission.status !== 'success') throw new Response('Choose a token to revoke', { status: 400 })
    const revoked = await revokeApiToken(actor, submission.value.tokenId)
    return redirect(`/account/tokens?revoked=${Number(revoked)}`)
  }

  const submission = parseWithZod(formData, { schema: CreateTokenSchema })
  if (submission.status !== 'success') return invalid(submission.reply())
  await enforceUserEndpointLimit(user.id, 'token', context)
  const { name, expiresIn, organizationId, permissions } = submission.value
  try {
    const { token } = await createApiToken(actor, {
      name,
      expiresInDays: expiresIn === 'never' ? null : Number(expiresIn),
      organizationId: organizationId ?? null,
      permissions: permissions?.length ? permissions : null,
    })
    // The token exists in clear only in this response: never cached, never shown again.
    return data({ ...submission.reply({ resetForm: true }), created: { name, token } }, { headers: { 'Cache-Control': 'no-store' } })
  } catch (error) {
    if (!(error instanceof DomainError) || !error.field) throw error
    return invalid(submission.reply({ fieldErrors: { [error.field]: [error.message] } }))
  }
}

const STATE_STYLES = {
  active: 'bg-green-50 text-green-800',
  expired: 'bg-amber-50 text-amber-800',
  revoked: 'bg-slate-100 text-slate-600',
} as const

export default function ApiTokens() {
  const { tokens, organizations } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const created = actionData && 'created' in actionData ? (actionData.created as { name: string; token: string }) : null
  const navigation = useNavigation()
  const [params] = useSearchParams()
  const [form, fields] = useValidatedForm({
    id: 'create-token',
    schema: CreateTokenSchema,
    lastResult: actionData,
    defaultValue: { intent: 'create', expiresIn: '30', organizationId: '' },
  })
  return (
    <section className="flex flex-col gap-8">
      <div>
        <h1 className="text-2xl font-semibold">API tokens</h1>
        <p className="mt-1 text-slate-600">
          Personal access tokens let scripts call the{' '}
          <a href="/api/docs" className="text-indigo-700 hover:underline">
            JSON API
          </a>{' '}
          as you. Send one as <code className="rounded bg-slate-100 px-1">Authorization: Bearer &lt;token&gt;</code>.
        </p>
      </div>

      {created ? (
        <div role="status" className="rounded-lg border border-green-200 bg-green-50 p-4" data-testid="new-token">
          <p className="font-medium text-green-900">Token “{created.name}” created. Copy it now: it will not be shown again.</p>
          <input
            readOnly
            aria-label="New token"
            value={created.token}
            className="mt-2 w-full rounded-md border border-green-300 bg-white px-3 py-2 font-mono text-sm"
            onFocus={(event) => event.currentTarget.select()}
          />
        </div>
      ) : null}
      {params.get('revoked') !== null ? (
        <p role="status" className="rounded-md bg-green-50 px-3 py-2 text-sm text-green-800">
          {params.get('revoked') === '1' ? 'Token revoked. It no longer works.' : 'That token was already revoked.'}
        </p>
      ) : null}

      <section className="max-w-xl rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="text-lg font-semibold">New token</h2>
        <Form method="post" {...getFormProps(form)} className="mt-4 flex flex-col gap-2">
          <input type="hidden" name="intent" value="create" />
          <TextField label="Name" field={fields.name} hint="What uses it, such as “CI deploy”." autoComplete="off" />
          <div className="flex flex-col gap-1">
            <label htmlFor={fields.expiresIn.id} className="text-sm font-medium text-slate-800">
              Expires after
            </label>
            <Select {...getSelectProps(fields.expiresIn)} key={fields.expiresIn.key}>
              {EXPIRY.map((e) => (
                <option key={e.value} value={e.value}>
                  {e.label}
                </option>
              ))}
            </Select>
            <ErrorList id={fields.expiresIn.errorId} errors={fields.expiresIn.errors} />
          </div>
          <div className="flex flex-col gap-1">
            <label htmlFor={fields.organizationId.id} className="text-sm font-medium text-slate-800">
              Organization
            </label>
            <Select {...getSelectProps(fields.organizationId)} key={fields.organizationId.key}>
              <option value="">All my organizations</option>
              {organizations.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </Select>
            <ErrorList id={fields.organizationId.errorId} errors={fields.organizationId.errors} />
          </div>
          <fieldset className="flex flex-col gap-1">
            <legend className="text-sm font-medium text-slate-800">Permissions</legend>
            <p className="text-xs text-slate-500">Tick none to let the token do whatever you may. It never gets more than your role allows.</p>
            <div className="mt-1 grid gap-1 sm:grid-cols-2">
              {getCollectionProps(fields.permissions, { type: 'checkbox', options: [...CATALOG] }).map((props) => (
                <label key={props.key} className="flex items-center gap-2 text-sm text-slate-700">
                  <input {...props} key={props.key} />
                  {PERMISSIONS[props.value as keyof typeof PERMISSIONS].label}
                </label>
              ))}
            </div>
            <ErrorList id={fields.permissions.errorId} errors={fields.permissions.errors} />
          </fieldset>
          <ErrorList id={form.errorId} errors={form.errors} />
          <SubmitButton pending={navigation.state === 'submitting' && navigation.formData?.get('intent') === 'create'}>Create token</SubmitButton>
        </Form>
      </section>

      <section>
        <h2 className="text-lg font-semibold">Your tokens</h2>
        {tokens.length === 0 ? (
          <p className="mt-2 text-slate-600">You have no tokens yet.</p>
        ) : (
          <ul className="mt-2 divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
            {tokens.map((token) => (
              <li key={token.id} className="flex flex-wrap items-center justify-between gap-4 px-4 py-3" data-testid="token">
                <div className="min-w-0">
                  <p className="font-medium">
                    {token.name}
                    <span className={`ml-2 rounded px-2 py-0.5 text-xs font-medium ${STATE_STYLES[token.state]}`}>{token.state}</span>
                  </p>
                  <p className="text-sm text-slate-600">
                    {token.organization ? `Only ${token.organization}` : 'All my organizations'} ·{' '}
                    {token.permissions ? token.permissions.join(', ') : 'all my permissions'}
                  </p>
                  <p className="text-xs text-slate-500">
                    Created {token.created} · {token.lastUsed ? `last used ${token.lastUsed}` : 'never used'} ·{' '}
                    {token.expires ? `expires ${token.expires}` : 'never expires'}
                  </p>
                </div>
                {token.state === 'active' ? (
                  <Form method="post">
                    <input type="hidden" name="intent" value="revoke" />
                    <input type="hidden" name="tokenId" value={token.id} />
                    <button
                      type="submit"
                      className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50 focus:outline-none focus:ring-2 focus:ring-indigo-500"
                    >
                      Revoke
                    </button>
                  </Form>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </section>
    </section>
  )
}
