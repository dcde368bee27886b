import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { vi } from 'vitest'

export const MAIL_API_URL = 'https://mail-provider.test/emails'
export const MAIL_API_KEY = 'test-mail-key'

export interface ProviderMessage {
  from: string
  to: string[]
  subject: string
  text: string
  authorization: string | null
}

/**
 * The HTTP mail provider, played by msw: every message the app posts is kept.
 * Set MAIL_API_URL/MAIL_API_KEY (configureMailProvider) before the app reads its config.
 */
export function mailProvider() {
  const messages: ProviderMessage[] = []
  let failWith: number | undefined
  const server = setupServer(
    http.post(MAIL_API_URL, async ({ request }) => {
      if (failWith) return new HttpResponse(null, { status: failWith })
      const body = (await request.json()) as Omit<ProviderMessage, 'authorization'>
      messages.push({ ...body, authorization: request.headers.get('authorization') })
      return HttpResponse.json({ id: `msg_${messages.length}` })
    }),
  )
  return {
    messages,
    listen: () => server.listen({ onUnhandledRequest: 'bypass' }),
    close: () => server.close(),
    failNextWith(status: number | undefined) {
      failWith = status
    },
    /** The newest message to `to` whose subject matches, waiting for it to arrive. */
    async waitFor(to: string, subject: RegExp): Promise<ProviderMessage> {
      return vi.waitFor(
        () => {
          const found = [...messages].reverse().find((m) => m.to.includes(to) && subject.test(m.subject))
          if (!found) throw new Error(`no message "${subject}" to ${to}`)
          return found
        },
        { timeout: 5_000, interval: 20 },
      )
    },
    sentTo(to: string) {
      return messages.filter((m) => m.to.includes(to))
    },
  }
}

export function configureMailProvider() {
  process.env.MAIL_API_URL = MAIL_API_URL
  process.env.MAIL_API_KEY = MAIL_API_KEY
}

/** The path of the first app link in a message (`/reset-password/<token>`…). */
export function linkPath(message: { text: string }, prefix: string): string {
  const match = message.text.match(new RegExp(`https?://[^\\s]+(${prefix}[^\\s]+)`))
  if (!match) throw new Error(`no ${prefix} link in: ${message.text}`)
  return match[1]!
}
