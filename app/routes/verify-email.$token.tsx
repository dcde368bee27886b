import { type LoaderFunctionArgs, type MetaFunction, data } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { ExpiredLink } from '~/components/expired-link'
import { clientOf } from '~/lib/request-context'
import { mailEmailChanged } from '~/mail/account.server'
import { confirmEmailChange, verifyEmail } from '~/models/account.server'
import { EmailTakenError } from '~/models/user.server'

export const meta: MetaFunction = () => [{ title: 'Email address · NextSaaS' }]

/**
 * Opening the mailed link is the confirmation: it proves the reader holds the
 * address. A link verifies the address after sign-up, or moves the account to
 * a new address; each works once.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const token = params.token ?? ''
  const client = clientOf(request, context)
  if (await verifyEmail(token, client)) return { outcome: 'verified' as const, email: null }
  try {
    const change = await confirmEmailChange(token, client)
    if (!change) return data({ outcome: 'expired' as const, email: null }, { status: 410 })
    mailEmailChanged(change.previousEmail, change.account, context.logger).catch((error: unknown) =>
      context.logger.error({ err: error }, 'email-changed notice failed'),
    )
    return { outcome: 'changed' as const, email: change.account.email }
  } catch (error) {
    if (!(error instanceof EmailTakenError)) throw error
    return data({ outcome: 'taken' as const, email: null }, { status: 409 })
  }
}

export default function VerifyEmail() {
  const { outcome, email } = useLoaderData<typeof loader>()
  if (outcome === 'expired') return <ExpiredLink retry={{ to: '/account', label: 'Go to your account for a new link' }} />
  const message = {
    verified: 'Your email address is verified. Thank you!',
    changed: `Your account now uses ${email}.`,
    taken: 'That address now belongs to another account, so your email address was not changed.',
  }[outcome]
  return (
    <div className="mx-auto max-w-sm" role={outcome === 'taken' ? 'alert' : 'status'}>
      <h1 className="text-2xl font-semibold">{outcome === 'taken' ? 'Address not changed' : 'Email address confirmed'}</h1>
      <p className="mt-4 text-slate-700">{message}</p>
      <p className="mt-4">
        <Link to="/account" className="text-indigo-700 hover:underline">
          Go to your account
        </Link>
      </p>
    </div>
  )
}
