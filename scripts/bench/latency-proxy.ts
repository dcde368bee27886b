/**
 * A loopback TCP proxy to PostgreSQL that holds every chunk for
 * PROXY_DELAY_MS in each direction: what a machine in a far region pays per
 * round trip. Run by scripts/bench/load.ts as a process of its own, so that
 * its timers share no event loop with the servers it delays; reports its
 * port over IPC and exits when the parent disconnects.
 */
import net, { type AddressInfo } from 'node:net'

const [host, port] = (process.env.PROXY_TARGET ?? '').split(':')
const delay = Number(process.env.PROXY_DELAY_MS)
if (!host || !port || !(delay >= 0) || !process.send) throw new Error('run through scripts/bench/load.ts')

/** Forwards `from` to `to`, each chunk `delay` ms late; timers of one delay fire in order, so bytes stay in order. */
function delayed(from: net.Socket, to: net.Socket) {
  from.on('data', (chunk) => setTimeout(() => to.writable && to.write(chunk), delay))
  from.on('end', () => setTimeout(() => to.end(), delay))
  from.on('error', () => to.destroy())
}

const server = net.createServer((client) => {
  const upstream = net.connect(Number(port), host)
  delayed(client, upstream)
  delayed(upstream, client)
})
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }))
process.once('disconnect', () => process.exit(0))
