/**
 * A front proxy that plays Fly.io's router for the local regions setup: it
 * sends each request to its entry region's app and, when the answer carries
 * `fly-replay: region=X`, sends the same request (the body it buffered) to
 * region X's app instead and returns that answer — the `fly-replay` header
 * itself never reaches the client, as behind Fly. The replayed request
 * carries `fly-replay-src`, as Fly's does.
 */
import http, { type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Fly follows a replay a few times at most; so does this. */
const MAX_REPLAYS = 3

export interface ReplayProxy {
  url: string
  /** How many requests were replayed, by target region (for tests and the bench). */
  replays: Map<string, number>
  close(): Promise<void>
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function send(origin: string, req: IncomingMessage, body: Buffer, extra: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const upstream = http.request(new URL(req.url ?? '/', origin), { method: req.method, headers: { ...req.headers, ...extra } }, resolve)
    upstream.on('error', reject)
    upstream.end(body)
  })
}

/** The region a `fly-replay` header names (`region=ams`, possibly with other fields). */
export function replayRegion(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header
  return value?.match(/(?:^|[;,\s])region=([a-z0-9]+)/)?.[1] ?? null
}

/** A proxy on a loopback port (`port`, else a free one) whose requests enter `entry`; `apps` maps each region to its app's origin. */
export function startReplayProxy(options: { entry: string; apps: Record<string, string>; port?: number }): Promise<ReplayProxy> {
  const replays = new Map<string, number>()
  const server = http.createServer(async (req, res) => {
    try {
      const body = await readBody(req)
      let region = options.entry
      let answer = await send(options.apps[region]!, req, body, { 'fly-region': region })
      for (let hop = 0; hop < MAX_REPLAYS; hop++) {
        const target = replayRegion(answer.headers['fly-replay'])
        if (!target || !options.apps[target]) break
        answer.resume()
        replays.set(target, (replays.get(target) ?? 0) + 1)
        answer = await send(options.apps[target], req, body, { 'fly-region': target, 'fly-replay-src': `region=${region}` })
        region = target
      }
      const headers = answer.rawHeaders.filter((_, i, all) => all[i - (i % 2)]!.toLowerCase() !== 'fly-replay')
      res.writeHead(answer.statusCode ?? 502, headers)
      answer.pipe(res)
    } catch (error) {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
      res.end(`replay proxy: ${(error as Error).message}\n`)
    }
  })
  return new Promise((resolve) =>
    server.listen(options.port ?? 0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        replays,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          }),
      }),
    ),
  )
}
