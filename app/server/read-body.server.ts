import type { IncomingMessage } from 'node:http'

/**
 * Reads a request body for inspection and puts it back, so that the next
 * reader (Remix) receives the same bytes.
 *
 * Node emits 'end' only after a read finds the buffer empty at end of input,
 * and re-checks the buffer before emitting it. So the body is drained with
 * reads of exactly the buffered length (which never trigger 'end') and, once
 * complete, unshifted in the same tick. At most `limit` bytes are held: past
 * that, what was read goes back and the rest stays in the stream, unread.
 *
 * One case cannot be undone: an empty body of unknown length ends the stream
 * as soon as anyone listens. `ended` says so; the caller re-emits 'end' once
 * the next reader listens (see the middleware).
 */
export interface ReadBody {
  bytes: Buffer
  /** The body is longer than `limit`; only its first `limit` bytes are in `bytes`. */
  truncated: boolean
  /** The stream already emitted 'end' (an empty body of unknown length). */
  ended: boolean
}

export function readBody(request: IncomingMessage, limit: number): Promise<ReadBody> {
  if (request.headers['content-length'] === '0') return Promise.resolve({ bytes: Buffer.alloc(0), truncated: false, ended: false })
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0

    const cleanup = () => {
      request.off('readable', onReadable)
      request.off('end', onEnd)
      request.off('error', onError)
    }
    const putBack = (truncated: boolean) => {
      cleanup()
      const bytes = Buffer.concat(chunks)
      if (bytes.length) request.unshift(bytes)
      resolve({ bytes: truncated ? bytes.subarray(0, limit) : bytes, truncated, ended: false })
    }
    function onReadable() {
      while (request.readableLength > 0 && size <= limit) {
        const chunk = request.read(request.readableLength) as Buffer
        chunks.push(chunk)
        size += chunk.length
      }
      if (size > limit) putBack(true)
      else if (request.complete) putBack(false)
    }
    function onEnd() {
      cleanup()
      resolve({ bytes: Buffer.concat(chunks), truncated: false, ended: true })
    }
    function onError(error: Error) {
      cleanup()
      reject(error)
    }

    request.on('readable', onReadable)
    request.once('end', onEnd)
    request.once('error', onError)
  })
}
