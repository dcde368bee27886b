import { getFormProps, getInputProps } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, type SerializeFrom } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { getUser, sessionCookie } from '~/auth/session.server'
import { signIn } from '~/auth/sign-in.server'
import { ErrorList, SubmitButton, TextField, useValidatedForm } from '~/components/forms'
import { buttonStyles } from '~/components/ui'
import { invalid, readForm, replyToDomainError } from '~/lib/forms.server'
import { LoginSchema, safeRedirect } from '~/lib/validation'

export const meta: MetaFunction = () => [{ title: 'Sign in · NextSaaS' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (await getUser(request, context)) throw redirect('/orgs')
  // Filled in development only, where `npm start` seeded them (server/demo-accounts.server.ts).
  return json({ demo: context.demoAccounts })
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
  const { demo } = useLoaderData<typeof loader>()
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
      {demo ? <DemoAccounts demo={demo} redirectTo={searchParams.get('redirectTo') ?? ''} /> : null}
    </div>
  )
}

/** One-click sign-in as each seeded account: the same form post as typing the address and the password. */
function DemoAccounts({ demo, redirectTo }: { demo: NonNullable<SerializeFrom<typeof loader>['demo']>; redirectTo: string }) {
  return (
    <section aria-labelledby="demo-accounts" className="mt-8 rounded-lg border border-amber-200 bg-amber-50 p-4">
      <h2 id="demo-accounts" className="font-medium">
        Demo accounts
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        Offered in development only. Each one&rsquo;s password is <code className="font-mono">{demo.password}</code>.
      </p>
      <ul className="mt-3 flex flex-col gap-3">
        {demo.accounts.map((account) => (
          <li key={account.email}>
            <Form method="post" className="flex items-center justify-between gap-3">
              <input type="hidden" name="email" value={account.email} />
              <input type="hidden" name="password" value={demo.password} />
              <input type="hidden" name="redirectTo" value={redirectTo} />
              <span className="min-w-0 text-sm">
                <span className="block truncate font-medium">{account.email}</span>
                <span className="block text-slate-600">{account.summary}</span>
              </span>
              <button type="submit" aria-label={`Sign in as ${account.email}`} className={`${buttonStyles.secondary} shrink-0`}>
                Sign in
              </button>
            </Form>
          </li>
        ))}
      </ul>
    </section>
  )
}
