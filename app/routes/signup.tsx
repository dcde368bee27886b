import { getFormProps, getInputProps } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { hashPassword, passwordWeakness } from '~/auth/password.server'
import { createSession, getUser } from '~/auth/session.server'
import { ErrorList, SubmitButton, TextField, useValidatedForm } from '~/components/forms'
import { HoneypotField } from '~/components/honeypot'
import { createUser, EmailTakenError } from '~/models/user.server'
import { mailVerificationAfterSignUp } from '~/utils/account-mail.server'
import { invalid, readForm } from '~/utils/forms.server'
import { honeypotFilled } from '~/utils/honeypot'
import { safeRedirect, SignupSchema } from '~/utils/validation'

export const meta: MetaFunction = () => [{ title: 'Sign up · NextSaaS' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (await getUser(request, context)) throw redirect('/orgs')
  return null
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readForm(request)
  const submission = parseWithZod(formData, { schema: SignupSchema })
  if (submission.status !== 'success') return invalid(submission.reply({ hideFields: ['password'] }))
  if (honeypotFilled(formData)) return invalid(submission.reply({ formErrors: ['We could not create this account.'], hideFields: ['password'] }))
  const { name, email, password, redirectTo } = submission.value
  const weakness = passwordWeakness(password, [email, name])
  if (weakness) return invalid(submission.reply({ fieldErrors: { password: [weakness] }, hideFields: ['password'] }))
  try {
    const client = { ip: context.ip, userAgent: request.headers.get('user-agent') ?? undefined }
    const user = await createUser({ name, email, passwordHash: await hashPassword(password) }, client)
    const cookie = await createSession(request, user.id, client)
    mailVerificationAfterSignUp(user.id, context.logger)
    return redirect(safeRedirect(redirectTo), { headers: { 'Set-Cookie': cookie } })
  } catch (error) {
    if (!(error instanceof EmailTakenError)) throw error
    return invalid(
      submission.reply({
        fieldErrors: { email: ['An account with this email already exists. Sign in instead?'] },
        hideFields: ['password'],
      }),
    )
  }
}

export default function Signup() {
  const lastResult = useActionData<typeof action>()
  const navigation = useNavigation()
  const [searchParams] = useSearchParams()
  const [form, fields] = useValidatedForm({
    id: 'signup',
    schema: SignupSchema,
    lastResult,
    defaultValue: { redirectTo: searchParams.get('redirectTo') ?? '' },
  })
  return (
    <div className="mx-auto max-w-sm">
      <h1 className="text-2xl font-semibold">Create your account</h1>
      <Form method="post" {...getFormProps(form)} className="mt-6 flex flex-col gap-2">
        <HoneypotField />
        <input {...getInputProps(fields.redirectTo, { type: 'hidden' })} />
        <TextField label="Name" field={fields.name} autoComplete="name" autoFocus />
        <TextField label="Email" field={fields.email} type="email" autoComplete="email" />
        <TextField label="Password" field={fields.password} type="password" autoComplete="new-password" hint="At least 12 characters." />
        <ErrorList id={form.errorId} errors={form.errors} />
        <SubmitButton pending={navigation.state === 'submitting'}>Sign up</SubmitButton>
      </Form>
      <p className="mt-4 text-sm text-slate-600">
        Already have an account? <Link to="/login" className="text-indigo-700 hover:underline">Sign in</Link>
      </p>
    </div>
  )
}
