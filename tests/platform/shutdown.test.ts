/**
 * The shutdown seam a long-lived stream uses (server-sent events): a hook
 * registered with the lifecycle runs once the listener is closed, so the
 * stream ends politely and the wait for requests in flight ends with it,
 * instead of at SHUTDOWN_TIMEOUT_MS with the connection cut.
 */
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pino } from 'pino'
import { expect, test } from 'vitest'
import { getConfig } from '~/lib/config.server'
import { createServices } from '~/server/services.server'
import { shutdownGracefully } from '~/server/shutdown.server'

test('a stream registered with onShutdown ends with its last event, and nothing is cut', async () => {
  const lines: { msg: string }[] = []
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) })
  const services = createServices({ ...getConfig(), RATE_LIMIT_ENABLED: false }, logger)
  const streams = new Set<ServerResponse>()
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write('data: hello\n\n')
    streams.add(res)
  })
  let listenerOpenAtHook: boolean | undefined
  services.lifecycle.onShutdown('events', () => {
    listenerOpenAtHook = server.listening
    for (const stream of streams) stream.end('event: close\ndata: the server is restarting\n\n')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/events`)
  const reader = response.body!.getReader()
  const first = await reader.read()
  expect(new TextDecoder().decode(first.value)).toBe('data: hello\n\n')

  const stopped = shutdownGracefully({ server, services, logger, timeoutMs: 60_000 })
  let rest = ''
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value)
  await stopped

  expect(rest).toBe('event: close\ndata: the server is restarting\n\n')
  expect(listenerOpenAtHook, 'no new stream can start behind the hook').toBe(false)
  expect(lines.map((line) => line.msg)).toEqual(['stopped'])
  expect(services.lifecycle.stopping, '/readyz now fails with shutdown').toBe(true)
})
