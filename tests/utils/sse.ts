/** A server-sent events reader for tests: what EventSource would see, as parsed events. */
export interface SseEvent {
  event: string
  id?: string
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever the event holds
  data: any
}

export interface SseStream {
  status: number
  headers: Headers
  events: SseEvent[]
  /** Comments (`: heartbeat`) seen so far. */
  comments: string[]
  /** Resolves when the server ends the stream. */
  ended: Promise<void>
  /** The first event (from the start) that `match` accepts, waiting at most `timeoutMs`. */
  next(match: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>
  close(): void
}

function parse(block: string): SseEvent | string | null {
  let event = 'message'
  let id: string | undefined
  const data: string[] = []
  let comment: string | null = null
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) comment = line.slice(1).trim()
    else if (line.startsWith('event: ')) event = line.slice(7)
    else if (line.startsWith('id: ')) id = line.slice(4)
    else if (line.startsWith('data: ')) data.push(line.slice(6))
  }
  if (!data.length) return comment
  return { event, id, data: JSON.parse(data.join('\n')) }
}

/** Opens `url` as an event stream with `headers` (a cookie, a bearer token, Last-Event-ID). */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const abort = new AbortController()
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal, redirect: 'manual' })
  const events: SseEvent[] = []
  const comments: string[] = []
  const waiters = new Set<() => void>()
  const notify = () => waiters.forEach((wake) => wake())
  const ended = (async () => {
    if (!response.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) return
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      const reader = response.body.getReader()
      for (;;) {
        const { value, done: finished } = await reader.read()
        if (finished) break
        buffer += decoder.decode(value, { stream: true })
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const parsed = parse(buffer.slice(0, end))
          buffer = buffer.slice(end + 2)
          if (typeof parsed === 'string') comments.push(parsed)
          else if (parsed) events.push(parsed)
        }
        notify()
      }
    } catch {
      // Closed by the test.
    }
  })().finally(notify)
  let done = false
  void ended.then(() => (done = true))
  return {
    status: response.status,
    headers: response.headers,
    events,
    comments,
    ended,
    async next(match, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const found = events.find(match)
        if (found) return found
        if (done) throw new Error(`the stream ended without the event; it sent ${JSON.stringify(events)}`)
        const left = deadline - Date.now()
        if (left <= 0) throw new Error(`no such event within ${timeoutMs} ms; the stream sent ${JSON.stringify(events)}`)
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake)
            clearTimeout(timer)
            resolve()
          }
          const timer = setTimeout(wake, left)
          waiters.add(wake)
        })
      }
    },
    close: () => abort.abort(),
  }
}
