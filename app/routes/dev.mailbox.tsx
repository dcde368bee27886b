import { type MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { formatUtc } from '~/lib/dates'
import { devMailboxEnabled, devMailboxMessages } from '~/mail/mailer.server'

export const meta: MetaFunction = () => [{ title: 'Dev mailbox · NextSaaS' }, { name: 'robots', content: 'noindex' }]

/** Mail the app would have sent; exists only without a mail provider and outside production. */
export async function loader() {
  if (!devMailboxEnabled()) throw new Response('Not found', { status: 404 })
  return { messages: devMailboxMessages() }
}

const URL_PATTERN = /(https?:\/\/[^\s]+)/g

/** The text body with its links clickable (React escapes the rest). */
function Body({ text }: { text: string }) {
  return (
    <pre className="mt-3 whitespace-pre-wrap break-words font-sans text-sm text-slate-800">
      {text.split(URL_PATTERN).map((part, i) =>
        i % 2 === 1 ? (
          <a key={i} href={part} className="text-indigo-700 underline">
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </pre>
  )
}

export default function DevMailbox() {
  const { messages } = useLoaderData<typeof loader>()
  return (
    <section>
      <h1 className="text-2xl font-semibold">Dev mailbox</h1>
      <p className="mt-1 text-slate-600">
        No mail provider is configured (MAIL_API_URL), so messages are kept here, in this server process, instead of being sent.
      </p>
      {messages.length === 0 ? (
        <p className="mt-6 rounded-lg border border-dashed border-slate-300 p-8 text-center text-slate-600">No messages yet.</p>
      ) : (
        <ol className="mt-6 flex flex-col gap-4">
          {messages.map((message) => (
            <li key={message.id} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
              <h2 className="font-medium">{message.subject}</h2>
              <p className="text-sm text-slate-600">
                To <span data-testid="mail-to">{message.to}</span> · {formatUtc(message.sentAt)}
              </p>
              <Body text={message.text} />
            </li>
          ))}
        </ol>
      )}
    </section>
  )
}
