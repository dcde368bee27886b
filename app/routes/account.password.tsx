import { getFormProps } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, data } from '@remix-run/node'
import { Form, Link, useActionData, useNavigation } from '@remix-run/react'
import { hashPassword, passwordWeakness } from '~/auth/password.server'
import { confirmCurrentPassword } from '~/auth/reauthenticate.server'
import { requireUser, signOutOtherSessions } from '~/auth/session.server'
import { ErrorList, SubmitButton, TextField, useValidatedForm } from '~/components/forms'
import { ChangePasswordSchema } from '~/lib/account-schemas'
import { invalid, readForm } from '~/lib/forms.server'
import { clientOf } from '~/lib/request-context'
import { changePassword } from '~/models/account.server'

export const meta: MetaFunction = () => [{ title: 'Change password · NextSaaS' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context)
  return null
}

const HIDDEN = ['currentPassword', 'newPassword']

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context)
  const submission = parseWithZod(await readForm(request), { schema: ChangePasswordSchema })
  if (submission.status !== 'success') return invalid(submission.reply({ hideFields: HIDDEN }))
  const { currentPassword, newPassword } = submission.value
  const check = await confirmCurrentPassword(user, currentPassword, request, context)
  if (!check.ok) return data(submission.reply({ fieldErrors: { currentPassword: [check.message] }, hideFields: HIDDEN }), { status: check.status })
  const weakness =
    newPassword === currentPassword ? 'Choose a password different from your current one.' : passwordWeakness(newPassword, [user.email, user.name])
  if (weakness) return invalid(submission.reply({ fieldErrors: { newPassword: [weakness] }, hideFields: HIDDEN }))

  const client = clientOf(request, context)
  await changePassword(user.id, await hashPassword(newPassword), client)
  await signOutOtherSessions(request, context, user, { reason: 'password_changed', keepCurrent: true })
  return redirect('/account?password=changed')
}

export default function ChangePassword() {
  const lastResult = useActionData<typeof action>()
  const navigation = useNavigation()
  const [form, fields] = useValidatedForm({ id: 'change-password', schema: ChangePasswordSchema, lastResult })
  return (
    <section className="max-w-sm">
      <h1 className="text-2xl font-semibold">Change password</h1>
      <Form method="post" {...getFormProps(form)} className="mt-6 flex flex-col gap-2">
        <TextField label="Current password" field={fields.currentPassword} type="password" autoComplete="current-password" autoFocus />
        <TextField
          label="New password"
          field={fields.newPassword}
          type="password"
          autoComplete="new-password"
          hint="At least 12 characters; a few unrelated words work well."
        />
        <ErrorList id={form.errorId} errors={form.errors} />
        <SubmitButton pending={navigation.state === 'submitting'}>Change password</SubmitButton>
      </Form>
      <p className="mt-4 text-sm text-slate-600">
        Every other device signed in to your account will be signed out. Forgot it?{' '}
        <Link to="/forgot-password" className="text-indigo-700 hover:underline">
          Reset it by email
        </Link>
      </p>
    </section>
  )
}
