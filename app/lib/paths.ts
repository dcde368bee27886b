/** The JSON API's paths (its envelope, its bearer tokens), as opposed to pages: one test for every layer. */
export const isApiPath = (pathname: string) => pathname === '/api' || pathname.startsWith('/api/')

/**
 * The mailed links whose last segment is a secret: whoever reads one can use
 * it until it expires. Each is a route `<segment>.$token.tsx`; the mail
 * builds its link here, and logs, metrics, audit details, security events and
 * error reports show the token as `[redacted]` (redactUrl, redactPath,
 * redactText). A test fails when a route with a `$token` segment is missing.
 */
export const SECRET_LINKS = {
  invitation: 'invitations',
  resetPassword: 'reset-password',
  verifyEmail: 'verify-email',
} as const

/** Routes beside a secret link whose segment is a name, not a token (`/verify-email/resend`). */
const NAMED_SIBLINGS = new Set(['resend'])

/** Query parameters that are secrets whatever their value (a token pasted into a URL by a client). */
const SECRET_PARAMS = new Set(['token', 'access_token', 'password', 'secret'])

export const REDACTED = '[redacted]'

const SECRET_SEGMENTS = new Set<string>(Object.values(SECRET_LINKS))

/** The path of a mailed link. */
export function secretLink(kind: keyof typeof SECRET_LINKS, token: string): string {
  return `/${SECRET_LINKS[kind]}/${token}`
}

/** A path or segment as routes match it: percent-decoded (where it decodes) and lower-cased. */
export function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment).toLowerCase()
  } catch {
    return segment.toLowerCase()
  }
}

/** A path with the segment after each secret link's name redacted, however it is percent-encoded. */
export function redactPath(path: string): string {
  const segments = path.split('/')
  for (let i = 0; i < segments.length - 1; i++) {
    const next = segments[i + 1]!
    if (SECRET_SEGMENTS.has(decoded(segments[i]!)) && next !== '' && !NAMED_SIBLINGS.has(decoded(next))) segments[i + 1] = REDACTED
  }
  return segments.join('/')
}

const SECRET_IN_TEXT = new RegExp(`((?:/|%2f)(?:${[...SECRET_SEGMENTS].join('|')})(?:/|%2f))([^/?#&;,()\\s"'<>]+)`, 'gi')

/** Free text (a security event's sample, an error message) with every secret link's token redacted. */
export function redactText(text: string): string {
  return text.replace(SECRET_IN_TEXT, (whole, prefix: string, token: string) => (NAMED_SIBLINGS.has(decoded(token)) ? whole : `${prefix}${REDACTED}`))
}

/**
 * A request target (`/path?query`) as logs and reports show it: secret link
 * tokens redacted in the path and in every query value (a `redirectTo` that
 * points at one), and secret parameters redacted whole.
 */
export function redactUrl(target: string): string {
  const hash = target.indexOf('#')
  const withoutHash = hash === -1 ? target : target.slice(0, hash)
  const mark = withoutHash.indexOf('?')
  if (mark === -1) return redactPath(withoutHash)
  const query = new URLSearchParams(withoutHash.slice(mark + 1))
  const redacted = new URLSearchParams()
  for (const [name, value] of query) {
    redacted.append(name, SECRET_PARAMS.has(name.toLowerCase()) ? REDACTED : value.startsWith('/') ? redactUrl(value) : redactText(value))
  }
  return `${redactPath(withoutHash.slice(0, mark))}?${redacted}`
}

/** Every string inside a JSON-like value, redacted with redactText (audit details). */
export function redactStrings<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T
  if (Array.isArray(value)) return value.map(redactStrings) as T
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactStrings(item)])) as T
  }
  return value
}
