import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { userActor } from '~/access/tenant.server'
import { getUser, requireUser } from '~/auth/session.server'
import { buttonStyles } from '~/components/ui'
import { DomainError, notFound } from '~/lib/errors'
import { acceptInvitation, previewInvitation } from '~/models/invitation.server'
import { guardInvitationLookup } from '~/rate-limit/lockouts.server'

export const meta: MetaFunction = () => [{ title: 'Invitation · NextSaaS' }]

const TOKEN = /^[A-Za-z0-9_-]{20,100}$/
const INVALID_LINK = 'This invitation link is not valid.'

/** Lookups that count toward the brute-force block of the client's address: the token opens nothing. */
const FAILED_STATUSES = new Set(['expired', 'revoked'])
const FAILED_CODES = new Set(['INVITATION_NOT_FOUND', 'INVITATION_EXPIRED', 'INVITATION_REVOKED'])

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const token = params.token ?? ''
  const lookup = await guardInvitationLookup(request, context)
  const invitation = TOKEN.test(token) ? await previewInvitation(token) : null
  const user = await getUser(request, context)
  await (!invitation || FAILED_STATUSES.has(invitation.status) ? lookup.failed(user?.id) : lookup.found())
  if (!invitation) throw notFound(INVALID_LINK)
  return { invitation, user: user ? { email: user.email } : null, path: new URL(request.url).pathname }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context)
  const token = params.token ?? ''
  const lookup = await guardInvitationLookup(request, context)
  if (!TOKEN.test(token)) {
    await lookup.failed(user.id)
    throw notFound(INVALID_LINK)
  }
  try {
    const slug = await acceptInvitation(userActor(user, request, context), token)
    await lookup.accepted()
    return redirect(`/orgs/${encodeURIComponent(slug)}`)
  } catch (error) {
    if (!(error instanceof DomainError)) throw error
    await (FAILED_CODES.has(error.code) ? lookup.failed(user.id) : lookup.found())
    return data({ error: error.message }, { status: error.code === 'INVITATION_NOT_FOUND' ? 404 : 409 })
  }
}

const CLOSED: Record<string, string> = {
  accepted: 'This invitation has already been used.',
  revoked: 'This invitation was revoked.',
  expired: 'This invitation has expired. Ask for a new one.',
}

export default function Invitation() {
  const { invitation, user, path } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const back = encodeURIComponent(path)
  return (
    <div className="mx-auto max-w-lg rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="text-xl font-semibold">{`Join ${invitation.organization_name}`}</h1>
      <p className="mt-2 text-slate-700">
        {invitation.inviter_name ?? 'Someone'} invited <strong>{invitation.email}</strong> to join as {invitation.role_name}.
      </p>
      {result?.error ? (
        <p role="alert" className="mt-4 rounded-md bg-red-50 p-3 text-sm text-red-800">
          {result.error}
        </p>
      ) : null}
      {invitation.status !== 'pending' ? (
        <p role="alert" className="mt-4 rounded-md bg-amber-50 p-3 text-sm text-amber-900">
          {CLOSED[invitation.status]}
        </p>
      ) : user ? (
        <Form method="post" className="mt-6">
          <p className="mb-3 text-sm text-slate-600">Signed in as {user.email}.</p>
          <button type="submit" className={buttonStyles.primary}>
            Accept invitation
          </button>
        </Form>
      ) : (
        <div className="mt-6 flex flex-wrap gap-3">
          <Link to={`/signup?redirectTo=${back}`} className={buttonStyles.primary}>
            Create an account
          </Link>
          <Link to={`/login?redirectTo=${back}`} className={buttonStyles.secondary}>
            Sign in
          </Link>
        </div>
      )}
    </div>
  )
}
