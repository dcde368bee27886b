import type { IncomingHttpHeaders } from 'node:http'
import { percentDecode } from './decode.server'
import type { RequestPart } from './scanner.server'

/**
 * What an attacker controls in a request, as the values the app will decode:
 * the raw path (before any `/../` is resolved), query names and values, cookies,
 * the free-form headers, and urlencoded, JSON (at any depth) or multipart bodies.
 */

/** Headers the app never reads as text, or that another layer already constrains. */
const UNINSPECTED_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'te',
  'cookie',
  'authorization',
  'proxy-authorization',
  'accept',
  'accept-encoding',
  'accept-language',
  'cache-control',
  'pragma',
  'if-none-match',
  'if-modified-since',
  'if-match',
  'if-unmodified-since',
  'if-range',
  'upgrade-insecure-requests',
  'priority',
  'dnt',
  'x-request-id',
])

/** Fields whose values are secrets: they are hashed, never interpreted, and must not reach a log. */
const SECRET_FIELD = /pass(?:word|wd|phrase)|(?:^|[_-])pwd$|secret$/i

function isSecretField(name: string): boolean {
  return SECRET_FIELD.test(name)
}

/** The path and query of a raw request target, split without normalising anything. */
export function splitTarget(target: string): { path: string; query: string } {
  const question = target.indexOf('?')
  const path = question < 0 ? target : target.slice(0, question)
  const query = question < 0 ? '' : target.slice(question + 1)
  const hash = query.indexOf('#')
  return { path, query: hash < 0 ? query : query.slice(0, hash) }
}

function* paramParts(location: 'query' | 'body', encoded: string): Generator<RequestPart> {
  for (const [name, value] of new URLSearchParams(encoded)) {
    yield { location, field: name, value: name, inName: true }
    if (value && !isSecretField(name)) yield { location, field: name, value }
  }
}

function* cookieParts(header: string | undefined): Generator<RequestPart> {
  if (!header) return
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=')
    const name = (equals < 0 ? pair : pair.slice(0, equals)).trim()
    const value = equals < 0 ? '' : percentDecode(pair.slice(equals + 1).trim())
    if (name) yield { location: 'cookie', field: name, value: name, inName: true }
    if (value && !isSecretField(name)) yield { location: 'cookie', field: name || null, value }
  }
}

function* headerParts(headers: IncomingHttpHeaders): Generator<RequestPart> {
  for (const [name, raw] of Object.entries(headers)) {
    if (UNINSPECTED_HEADERS.has(name) || name.startsWith('sec-') || raw === undefined) continue
    for (const value of Array.isArray(raw) ? raw : [raw]) if (value) yield { location: 'header', field: name, value }
  }
}

/** JSON keys and string leaves at any depth, without recursion (a deep document cannot overflow the stack). */
function* jsonParts(document: unknown): Generator<RequestPart> {
  const stack: { value: unknown; field: string | null }[] = [{ value: document, field: null }]
  while (stack.length) {
    const { value, field } = stack.pop()!
    if (typeof value === 'string') {
      if (value && !(field && isSecretField(field))) yield { location: 'body', field, value }
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], field })
    } else if (value && typeof value === 'object') {
      const entries = Object.entries(value)
      for (const [key] of entries) yield { location: 'body', field: key, value: key, inName: true }
      for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i]![1], field: entries[i]![0] })
    }
  }
}

export type BodyKind = 'form' | 'json' | 'multipart'

/** The body kinds the monitor reads; anything else is reported as uninspected. */
export function bodyKind(contentType: string | undefined): BodyKind | null {
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? ''
  if (type === 'application/x-www-form-urlencoded') return 'form'
  if (type === 'multipart/form-data') return 'multipart'
  if (type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))) return 'json'
  return null
}

/**
 * A body as the monitor inspects it: urlencoded and JSON as text, parsed
 * lazily; multipart as the entries the app's own parser returns.
 */
export type RawBody =
  | { kind: 'form' | 'json'; text: string }
  | {
      kind: 'multipart'
      parts: readonly RequestPart[]
      /** File parts: their names and filenames are in `parts`, their contents are not scanned. */
      files: number
    }

/**
 * Multipart entries as a route sees them: read with the runtime's own
 * `formData()` (undici's parser, the one Remix routes call), because another
 * parser would disagree on corner cases — busboy, for one, leaves a base64
 * part encoded where the route gets it decoded — and each disagreement is a
 * way past inspection. The parser is linear (one forward pass, boundaries
 * found with Buffer#indexOf) and only ever sees the bounded body. File
 * contents are data to store, not text the app interprets: their names and
 * filenames are scanned, their bytes are not.
 */
async function multipartBody(bytes: Buffer, contentType: string): Promise<RawBody> {
  let form: FormData
  try {
    form = await new Response(new Uint8Array(bytes), { headers: { 'content-type': contentType } }).formData()
  } catch {
    // The app cannot read it either; its text is still looked at.
    return { kind: 'multipart', parts: [{ location: 'body', field: null, value: bytes.toString('utf8') }], files: 0 }
  }
  const parts: RequestPart[] = []
  let files = 0
  for (const [name, value] of form) {
    parts.push({ location: 'body', field: name, value: name, inName: true })
    if (typeof value !== 'string') {
      files++
      if (value.name) parts.push({ location: 'body', field: name, value: value.name })
    } else if (value && !isSecretField(name)) {
      parts.push({ location: 'body', field: name, value })
    }
  }
  return { kind: 'multipart', parts, files }
}

/** The body of a kind the monitor reads, ready for requestParts(). */
export async function rawBody(kind: BodyKind, bytes: Buffer, contentType: string): Promise<RawBody> {
  return kind === 'multipart' ? multipartBody(bytes, contentType) : { kind, text: bytes.toString('utf8') }
}

function* bodyParts(body: RawBody): Generator<RequestPart> {
  if (body.kind === 'multipart') return yield* body.parts
  if (body.kind === 'form') return yield* paramParts('body', body.text)
  let document: unknown
  try {
    document = JSON.parse(body.text)
  } catch {
    // The app will refuse it too; its text is still looked at.
    return yield { location: 'body', field: null, value: body.text }
  }
  yield* jsonParts(document)
}

export interface RawRequest {
  /** The request target exactly as received (`req.originalUrl` before routing). */
  target: string
  headers: IncomingHttpHeaders
  body?: RawBody
}

/** Every inspectable value of a request, cheapest first, lazily (the scan stops at its budget). */
export function* requestParts(request: RawRequest): Generator<RequestPart> {
  const { path, query } = splitTarget(request.target)
  yield { location: 'path', field: null, value: percentDecode(path) }
  if (query) yield* paramParts('query', query)
  yield* headerParts(request.headers)
  yield* cookieParts(request.headers.cookie)
  if (request.body) yield* bodyParts(request.body)
}

/** `/orgs/$slug/…` pages and `/api/organizations/$id/…` resources. */
const ORGANIZATION_PATH = /^\/(?:orgs|api\/organizations)\/([^/]{1,64})/

/** The organization slug or id a raw path names, for attributing an event to it. */
export function organizationInPath(path: string): string | null {
  const named = ORGANIZATION_PATH.exec(path)?.[1]
  return named ? percentDecode(named).toLowerCase() : null
}
