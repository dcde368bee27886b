import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useLoaderData, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { userActor } from '~/access/tenant.server'
import { currentSessionId, requireUser, signOutOtherSessions } from '~/auth/session.server'
import { formatUtc } from '~/lib/dates'
import { readForm } from '~/lib/forms.server'
import { describeDevice } from '~/lib/user-agent'
import { endSession, listSessions } from '~/models/sessions.server'

export const meta: MetaFunction = () => [{ title: 'Sessions · NextSaaS' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context)
  const current = currentSessionId(request)
  const sessions = await listSessions(userActor(user, request, context))
  return {
    sessions: sessions.map((s) => ({
      id: s.id,
      device: describeDevice(s.userAgent),
      ipAddress: s.ipAddress ?? 'unknown',
      lastSeen: formatUtc(s.lastSeenAt),
      signedIn: formatUtc(s.createdAt),
      current: s.id === current,
    })),
  }
}

const SessionAction = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('end'), sessionId: z.string().regex(/^[0-9a-f]{64}$/, 'Unknown session') }),
  z.object({ intent: z.literal('end-others') }),
])

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context)
  const submission = parseWithZod(await readForm(request), { schema: SessionAction })
  if (submission.status !== 'success') throw new Response('Choose a session to sign out', { status: 400 })
  const ended =
    submission.value.intent === 'end'
      ? Number(await endSession(userActor(user, request, context), submission.value.sessionId))
      : await signOutOtherSessions(request, context, user, { reason: 'signed_out_others', keepCurrent: true })
  return redirect(`/account/sessions?ended=${ended}`)
}

export default function Sessions() {
  const { sessions } = useLoaderData<typeof loader>()
  const [params] = useSearchParams()
  const ended = params.get('ended')
  const others = sessions.filter((s) => !s.current).length
  return (
    <section>
      <h1 className="text-2xl font-semibold">Sessions</h1>
      <p className="mt-1 text-slate-600">Where you are signed in. Sign out any session you do not recognise.</p>
      {ended !== null ? (
        <p role="status" className="mt-4 rounded-md bg-green-50 px-3 py-2 text-sm text-green-800">
          {ended === '1' ? 'Signed out 1 session.' : `Signed out ${Number(ended) || 0} sessions.`}
        </p>
      ) : null}
      <ul className="mt-6 divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
        {sessions.map((session) => (
          <li key={session.id} className="flex flex-wrap items-center justify-between gap-4 px-4 py-3" data-testid="session">
            <div>
              <p className="font-medium">
                {session.device}
                {session.current ? (
                  <span className="ml-2 rounded bg-indigo-50 px-2 py-0.5 text-xs font-medium text-indigo-700">This device</span>
                ) : null}
              </p>
              <p className="text-sm text-slate-600">{`IP ${session.ipAddress} · last seen ${session.lastSeen} · signed in ${session.signedIn}`}</p>
            </div>
            {session.current ? null : (
              <Form method="post">
                <input type="hidden" name="intent" value="end" />
                <input type="hidden" name="sessionId" value={session.id} />
                <button
                  type="submit"
                  className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50 focus:outline-none focus:ring-2 focus:ring-indigo-500"
                >
                  Sign out
                </button>
              </Form>
            )}
          </li>
        ))}
      </ul>
      {others > 0 ? (
        <Form method="post" className="mt-4">
          <input type="hidden" name="intent" value="end-others" />
          <button
            type="submit"
            className="rounded-md bg-red-600 px-4 py-2 text-sm font-medium text-white hover:bg-red-500 focus:outline-none focus:ring-2 focus:ring-red-500 focus:ring-offset-2"
          >
            Sign out all other sessions
          </button>
        </Form>
      ) : null}
    </section>
  )
}
