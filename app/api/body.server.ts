/**
 * Request bodies of the JSON API: JSON only (415 otherwise), at most
 * API_MAX_BODY_BYTES however it is sent (413), well-formed (400), and valid
 * for the same zod schema the matching form uses (422 with per-field details).
 */
import type { z } from 'zod'
import { getConfig } from '~/lib/config.server'
import { refusal } from '~/lib/errors'

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i

/** The body's text, refusing it as soon as it grows past the limit (chunked bodies have no Content-Length). */
async function readLimited(request: Request, maxBytes: number): Promise<string> {
  const tooLarge = () => refusal('PAYLOAD_TOO_LARGE', `Request body is larger than ${maxBytes} bytes`)
  if (Number(request.headers.get('content-length') ?? 0) > maxBytes) throw tooLarge()
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel()
      throw tooLarge()
    }
    chunks.push(value)
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks))
}

/** Zod issues as `{ field: [messages] }`; problems with the body as a whole go under `body`. */
export function fieldErrors(error: z.ZodError): Record<string, string[]> {
  const details: Record<string, string[]> = {}
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join('.') : 'body'
    ;(details[key] ??= []).push(issue.message)
  }
  return details
}

export function validationFailed(error: z.ZodError, message = 'The request body is not valid') {
  return refusal('VALIDATION_FAILED', message, { details: fieldErrors(error) })
}

/** The parsed JSON body, whatever its shape; the caller validates it. */
export async function readJson(request: Request): Promise<unknown> {
  const type = request.headers.get('content-type') ?? ''
  if (!JSON_TYPE.test(type)) {
    throw refusal('UNSUPPORTED_MEDIA_TYPE', 'Send the body as JSON with Content-Type: application/json', {
      details: { contentType: type || null },
    })
  }
  let text: string
  try {
    text = await readLimited(request, getConfig().API_MAX_BODY_BYTES)
  } catch (error) {
    if (error instanceof Response) throw error
    throw refusal('MALFORMED_JSON', 'The request body is not valid UTF-8')
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (error) {
    throw refusal('MALFORMED_JSON', 'The request body is not valid JSON', {
      details: { reason: error instanceof Error ? error.message : String(error) },
    })
  }
  const where = nulBytePath(body)
  if (where !== null)
    throw refusal('VALIDATION_FAILED', 'The request body is not valid', { details: { [where || 'body']: ['Text cannot contain NUL characters'] } })
  return body
}

/**
 * Where a string holds U+0000 (which PostgreSQL text cannot store), as a field
 * path; null when nowhere. Iterative: a body may nest deeper than the stack.
 */
function nulBytePath(body: unknown): string | null {
  const pending: [unknown, string[]][] = [[body, []]]
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, path] = next
    if (typeof value === 'string' && value.includes('\u0000')) return path.join('.')
    if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) pending.push([item, [...path, key]])
    }
  }
  return null
}

/** The JSON body, validated: the schema's output or a 422 naming each bad field. */
export async function readBody<S extends z.ZodTypeAny>(request: Request, schema: S): Promise<z.output<S>> {
  const result = schema.safeParse(await readJson(request))
  if (!result.success) throw validationFailed(result.error)
  return result.data
}

/**
 * A PATCH: the fields given over the current ones, checked as a whole by the
 * schema a full replacement must pass (so a patch cannot sneak past a rule).
 */
export function mergePatch<S extends z.ZodTypeAny>(schema: S, current: z.input<S>, patch: Partial<z.input<S>>): z.output<S> {
  const result = schema.safeParse({ ...current, ...patch })
  if (!result.success) throw validationFailed(result.error)
  return result.data
}
