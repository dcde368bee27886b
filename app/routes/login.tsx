import { getFormProps, getInputProps } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { verifyPassword } from '~/auth/password.server'
import { createSession, getUser } from '~/auth/session.server'
import { ErrorList, SubmitButton, TextField, useValidatedForm } from '~/components/forms'
import { findCredentials, recordSignIn } from '~/models/user.server'
import { invalid, readForm } from '~/utils/forms.server'
import { beginSignIn } from '~/utils/rate-limit.server'
import { LoginSchema, safeRedirect } from '~/utils/validation'

export const meta: MetaFunction = () => [{ title: 'Sign in · NextSaaS' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (await getUser(request, context)) throw redirect('/orgs')
  return null
}

/** One message for every failure: it must not tell whether the account exists. */
const BAD_CREDENTIALS = 'Email or password is incorrect.'

export async function action({ request, context }: ActionFunctionArgs) {
  const submission = parseWithZod(await readForm(request), { schema: LoginSchema })
  if (submission.status !== 'success') return invalid(submission.reply({ hideFields: ['password'] }))
  const { email, password, redirectTo } = submission.value
  const client = { ip: context.ip, userAgent: request.headers.get('user-agent') ?? undefined }
  // Refused or just blocked: generic words, the email kept, and nothing else done.
  const tooManyAttempts = (message: string) =>
    json(submission.reply({ formErrors: [message], hideFields: ['password'] }), { status: 429 })
  const gate = await beginSignIn(email, request, context)
  if ('refused' in gate) return tooManyAttempts(gate.refused)

  const account = await findCredentials(email)
  const ok = await verifyPassword(account?.passwordHash, password)
  await recordSignIn({ userId: account?.id ?? null, result: ok ? 'success' : 'failure', ...client })
  if (!ok || !account) {
    const blocked = await gate.failed(account?.id ?? null)
    if (blocked) return tooManyAttempts(blocked)
    return invalid(submission.reply({ formErrors: [BAD_CREDENTIALS], hideFields: ['password'] }))
  }
  await gate.succeeded()
  const cookie = await createSession(request, account.id, client)
  return redirect(safeRedirect(redirectTo), { headers: { 'Set-Cookie': cookie } })
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
        <Link to="/forgot-password" className="-mt-1 self-end text-sm text-indigo-700 hover:underline">Forgot your password?</Link>
        <ErrorList id={form.errorId} errors={form.errors} />
        <SubmitButton pending={navigation.state === 'submitting'}>Sign in</SubmitButton>
      </Form>
      <p className="mt-4 text-sm text-slate-600">
        New here? <Link to="/signup" className="text-indigo-700 hover:underline">Create an account</Link>
      </p>
    </div>
  )
}
