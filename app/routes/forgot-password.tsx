import { getFormProps } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { ErrorList, SubmitButton, TextField, useValidatedForm } from '~/components/forms'
import { HoneypotField } from '~/components/honeypot'
import { ForgotPasswordSchema } from '~/lib/account-schemas'
import { invalid, readForm } from '~/lib/forms.server'
import { honeypotFilled } from '~/lib/honeypot'
import { clientOf } from '~/lib/request-context'
import { mailPasswordReset } from '~/mail/account.server'
import { enforceMailLimit } from '~/rate-limit/guards.server'

export const meta: MetaFunction = () => [{ title: 'Forgot password · NextSaaS' }]

const SENT = '/forgot-password?sent=1'

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readForm(request)
  // A bot gets the answer a person gets, and no mail goes out.
  if (honeypotFilled(formData)) return redirect(SENT)
  const submission = parseWithZod(formData, { schema: ForgotPasswordSchema })
  if (submission.status !== 'success') return invalid(submission.reply())
  await enforceMailLimit(submission.value.email, context)
  // Not awaited: the answer is the same, and as fast, whether or not the account exists.
  const client = clientOf(request, context)
  void mailPasswordReset(submission.value.email, client, context.logger)
  return redirect(SENT)
}

export default function ForgotPassword() {
  const lastResult = useActionData<typeof action>()
  const navigation = useNavigation()
  const [params] = useSearchParams()
  const [form, fields] = useValidatedForm({ id: 'forgot-password', schema: ForgotPasswordSchema, lastResult })
  if (params.get('sent')) {
    return (
      <div className="mx-auto max-w-sm" role="status">
        <h1 className="text-2xl font-semibold">Check your email</h1>
        <p className="mt-4 text-slate-700">
          If an account exists for that address, we have sent it a link to choose a new password. The link works for one hour.
        </p>
        <p className="mt-4 text-sm">
          <Link to="/login" className="text-indigo-700 hover:underline">
            Back to sign in
          </Link>
        </p>
      </div>
    )
  }
  return (
    <div className="mx-auto max-w-sm">
      <h1 className="text-2xl font-semibold">Forgot your password?</h1>
      <p className="mt-2 text-slate-600">Enter your account's email address and we will send you a link to choose a new password.</p>
      <Form method="post" {...getFormProps(form)} className="relative mt-6 flex flex-col gap-2">
        <HoneypotField />
        <TextField label="Email" field={fields.email} type="email" autoComplete="email" autoFocus />
        <ErrorList id={form.errorId} errors={form.errors} />
        <SubmitButton pending={navigation.state === 'submitting'}>Send reset link</SubmitButton>
      </Form>
      <p className="mt-4 text-sm text-slate-600">
        Remembered it?{' '}
        <Link to="/login" className="text-indigo-700 hover:underline">
          Sign in
        </Link>
      </p>
    </div>
  )
}
