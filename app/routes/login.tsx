import { getFormProps, getInputProps } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { getUser, sessionCookie } from '~/auth/session.server'
import { signIn } from '~/auth/sign-in.server'
import { ErrorList, SubmitButton, TextField, useValidatedForm } from '~/components/forms'
import { invalid, readForm, replyToDomainError } from '~/lib/forms.server'
import { LoginSchema, safeRedirect } from '~/lib/validation'

export const meta: MetaFunction = () => [{ title: 'Sign in · NextSaaS' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (await getUser(request, context)) throw redirect('/orgs')
  return null
}

export async function action({ request, context }: ActionFunctionArgs) {
  const submission = parseWithZod(await readForm(request), { schema: LoginSchema })
  if (submission.status !== 'success') return invalid(submission.reply({ hideFields: ['password'] }))
  const { email, password, redirectTo } = submission.value
  try {
    const { token } = await signIn(email, password, request, context)
    return redirect(safeRedirect(redirectTo), { headers: { 'Set-Cookie': sessionCookie(request, token) } })
  } catch (error) {
    // Wrong, refused or just blocked: generic words, the email kept, and nothing else done.
    return replyToDomainError(submission, error, { hideFields: ['password'] })
  }
}

export default function Login() {
  const lastResult = useActionData<typeof action>()
  const navigation = useNavigation()
  const [searchParams] = useSearchParams()
  const [form, fields] = useValidatedForm({
    id: 'login',
    schema: LoginSchema,
    lastResult,
    defaultValue: { redirectTo: searchParams.get('redirectTo') ?? '' },
  })
  return (
    <div className="mx-auto max-w-sm">
      <h1 className="text-2xl font-semibold">Sign in</h1>
      <Form method="post" {...getFormProps(form)} className="mt-6 flex flex-col gap-2">
        <input {...getInputProps(fields.redirectTo, { type: 'hidden' })} />
        <TextField label="Email" field={fields.email} type="email" autoComplete="email" autoFocus />
        <TextField label="Password" field={fields.password} type="password" autoComplete="current-password" />
        <Link to="/forgot-password" className="-mt-1 self-end text-sm text-indigo-700 hover:underline">
          Forgot your password?
        </Link>
        <ErrorList id={form.errorId} errors={form.errors} />
        <SubmitButton pending={navigation.state === 'submitting'}>Sign in</SubmitButton>
      </Form>
      <p className="mt-4 text-sm text-slate-600">
        New here?{' '}
        <Link to="/signup" className="text-indigo-700 hover:underline">
          Create an account
        </Link>
      </p>
    </div>
  )
}
