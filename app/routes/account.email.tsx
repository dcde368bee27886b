import { getFormProps } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, data } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { confirmCurrentPassword } from '~/auth/reauthenticate.server'
import { requireUser } from '~/auth/session.server'
import { ErrorList, SubmitButton, TextField, useValidatedForm } from '~/components/forms'
import { ChangeEmailSchema } from '~/lib/account-schemas'
import { invalid, readForm } from '~/lib/forms.server'
import { clientOf } from '~/lib/request-context'
import { mailEmailChange } from '~/mail/account.server'
import { startEmailChange } from '~/models/account.server'
import { EmailTakenError, normalizeEmail } from '~/models/user.server'
import { enforceMailLimit } from '~/rate-limit/guards.server'

export const meta: MetaFunction = () => [{ title: 'Change email · NextSaaS' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  return { email: user.email }
}

const HIDDEN = ['currentPassword']

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context)
  const submission = parseWithZod(await readForm(request), { schema: ChangeEmailSchema })
  if (submission.status !== 'success') return invalid(submission.reply({ hideFields: HIDDEN }))
  const { email, currentPassword } = submission.value
  const fieldError = (field: string, message: string, status = 422) =>
    data(submission.reply({ fieldErrors: { [field]: [message] }, hideFields: HIDDEN }), { status })

  const check = await confirmCurrentPassword(user, currentPassword, request, context)
  if (!check.ok) return fieldError('currentPassword', check.message, check.status)
  if (normalizeEmail(email) === normalizeEmail(user.email)) return fieldError('email', 'This is already your address.')
  await enforceMailLimit(email, context)
  const client = clientOf(request, context)
  try {
    const change = await startEmailChange(user.id, email, client)
    await mailEmailChange(change.account, normalizeEmail(email), change.token, context.logger)
  } catch (error) {
    if (error instanceof EmailTakenError) return fieldError('email', 'An account with this email already exists.')
    context.logger.error({ err: error }, 'email change mail failed')
    return invalid(submission.reply({ formErrors: ['We could not send the email just now. Please try again in a few minutes.'], hideFields: HIDDEN }))
  }
  return redirect('/account?email=requested')
}

export default function ChangeEmail() {
  const { email } = useLoaderData<typeof loader>()
  const lastResult = useActionData<typeof action>()
  const navigation = useNavigation()
  const [form, fields] = useValidatedForm({ id: 'change-email', schema: ChangeEmailSchema, lastResult })
  return (
    <section className="max-w-sm">
      <h1 className="text-2xl font-semibold">Change email</h1>
      <p className="mt-2 text-slate-600">{`Your address is ${email}. We will send a link to the new address; your account moves to it when you open the link.`}</p>
      <Form method="post" {...getFormProps(form)} className="mt-6 flex flex-col gap-2">
        <TextField label="New email" field={fields.email} type="email" autoComplete="email" autoFocus />
        <TextField label="Current password" field={fields.currentPassword} type="password" autoComplete="current-password" />
        <ErrorList id={form.errorId} errors={form.errors} />
        <SubmitButton pending={navigation.state === 'submitting'}>Send confirmation link</SubmitButton>
      </Form>
    </section>
  )
}
