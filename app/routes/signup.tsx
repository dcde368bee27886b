import { getFormProps, getInputProps } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { getUser, sessionCookie } from '~/auth/session.server'
import { signUp } from '~/auth/sign-in.server'
import { ErrorList, SubmitButton, TextField, useValidatedForm } from '~/components/forms'
import { HoneypotField } from '~/components/honeypot'
import { invalid, readForm, replyToDomainError } from '~/lib/forms.server'
import { honeypotFilled } from '~/lib/honeypot'
import { safeRedirect, SignupSchema } from '~/lib/validation'

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
  const { redirectTo, ...account } = submission.value
  try {
    const { token } = await signUp(account, request, context)
    return redirect(safeRedirect(redirectTo), { headers: { 'Set-Cookie': sessionCookie(request, token) } })
  } catch (error) {
    return replyToDomainError(submission, error, { hideFields: ['password'] })
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
        Already have an account?{' '}
        <Link to="/login" className="text-indigo-700 hover:underline">
          Sign in
        </Link>
      </p>
    </div>
  )
}
