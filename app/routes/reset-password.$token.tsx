import { getFormProps } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, data } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { hashPassword, passwordWeakness } from '~/auth/password.server'
import { createSession, signOutOtherSessions } from '~/auth/session.server'
import { ExpiredLink } from '~/components/expired-link'
import { ErrorList, SubmitButton, TextField, useValidatedForm } from '~/components/forms'
import { ResetPasswordSchema } from '~/lib/account-schemas'
import { invalid, readForm } from '~/lib/forms.server'
import { clientOf } from '~/lib/request-context'
import { isUsableLink, resetPassword } from '~/models/account.server'

export const meta: MetaFunction = () => [{ title: 'Choose a new password · NextSaaS' }]

const GONE = { status: 410 }

export async function loader({ params }: LoaderFunctionArgs) {
  const usable = await isUsableLink(params.token ?? '', 'reset_password')
  return data({ usable }, usable ? undefined : GONE)
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const submission = parseWithZod(await readForm(request), { schema: ResetPasswordSchema })
  if (submission.status !== 'success') return invalid(submission.reply({ hideFields: ['password'] }))
  const weakness = passwordWeakness(submission.value.password)
  if (weakness) return invalid(submission.reply({ fieldErrors: { password: [weakness] }, hideFields: ['password'] }))
  const client = clientOf(request, context)
  const account = await resetPassword(params.token ?? '', await hashPassword(submission.value.password), client)
  if (!account) return data({ expired: true }, GONE)
  // Whoever else held a session, with the old password or a stolen cookie, is out.
  await signOutOtherSessions(request, context, account, { reason: 'password_reset', keepCurrent: false })
  const cookie = await createSession(request, account.id, client)
  return redirect('/account?password=reset', { headers: { 'Set-Cookie': cookie } })
}

export default function ResetPassword() {
  const { usable } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const navigation = useNavigation()
  const lastResult = result && !('expired' in result) ? result : undefined
  const [form, fields] = useValidatedForm({ id: 'reset-password', schema: ResetPasswordSchema, lastResult })
  if (!usable || (result && 'expired' in result)) {
    return <ExpiredLink retry={{ to: '/forgot-password', label: 'Ask for a new link' }} />
  }
  return (
    <div className="mx-auto max-w-sm">
      <h1 className="text-2xl font-semibold">Choose a new password</h1>
      <Form method="post" {...getFormProps(form)} className="mt-6 flex flex-col gap-2">
        <TextField
          label="New password"
          field={fields.password}
          type="password"
          autoComplete="new-password"
          autoFocus
          hint="At least 12 characters; a few unrelated words work well."
        />
        <ErrorList id={form.errorId} errors={form.errors} />
        <SubmitButton pending={navigation.state === 'submitting'}>Set new password</SubmitButton>
      </Form>
      <p className="mt-4 text-sm text-slate-600">Every other device signed in to your account will be signed out.</p>
    </div>
  )
}
