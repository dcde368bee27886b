/**
 * Decoding for the security monitor. Every function here is one forward pass
 * over the characters (no regex replace with a callback, which costs about a
 * microsecond per match: a megabyte of `&#1` would take a second).
 *
 * The app itself decodes a value once (percent and plus, as URLSearchParams
 * does). Detection also looks at a "deep" view — what is left after a second
 * percent-decoding, HTML entities, Unicode NFKC, NUL removal and SQL/JS block
 * comments — because that is what a browser, a database or a careless
 * downstream decoder may still turn the value into.
 */

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30
  const lower = code | 0x20
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1
}

function hexAt(bytes: Uint8Array, at: number, digits: number): number {
  let value = 0
  for (let i = at; i < at + digits; i++) {
    const digit = i < bytes.length ? hexValue(bytes[i]!) : -1
    if (digit < 0) return -1
    value = value * 16 + digit
  }
  return value
}

/**
 * Percent-escapes decoded to UTF-8 bytes, tolerant of malformed ones (kept as
 * they are); optionally `+` as space and IIS-style `%uXXXX` escapes.
 */
function decodeEscapes(value: string, options: { plus: boolean; unicode: boolean }): string {
  const bytes = Buffer.from(value, 'utf8')
  const out = Buffer.allocUnsafe(bytes.length)
  let length = 0
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!
    if (byte === 0x25) {
      const escaped = hexAt(bytes, i + 1, 2)
      if (escaped >= 0) {
        out[length++] = escaped
        i += 2
        continue
      }
      if (options.unicode && (bytes[i + 1]! | 0x20) === 0x75) {
        const unit = hexAt(bytes, i + 2, 4)
        if (unit >= 0) {
          // A UTF-16 unit never takes more UTF-8 bytes than its six-byte escape.
          length += out.write(String.fromCharCode(unit), length)
          i += 5
          continue
        }
      }
    }
    out[length++] = options.plus && byte === 0x2b ? 0x20 : byte
  }
  return out.toString('utf8', 0, length)
}

/** Percent-decoding once, as the app does for paths and cookies. */
export function percentDecode(value: string): string {
  return value.includes('%') ? decodeEscapes(value, { plus: false, unicode: false }) : value
}

const NAMED_ENTITIES: Record<string, string> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
  tab: '\t',
  newline: '\n',
  nbsp: ' ',
  colon: ':',
  semi: ';',
  comma: ',',
  period: '.',
  excl: '!',
  quest: '?',
  equals: '=',
  num: '#',
  dollar: '$',
  percnt: '%',
  plus: '+',
  ast: '*',
  grave: '`',
  hat: '^',
  lowbar: '_',
  verbar: '|',
  vert: '|',
  sol: '/',
  bsol: '\\',
  lpar: '(',
  rpar: ')',
  lsqb: '[',
  rsqb: ']',
  lbrack: '[',
  rbrack: ']',
  lcub: '{',
  rcub: '}',
  lbrace: '{',
  rbrace: '}',
}
/** Entities a browser still decodes without their semicolon (`&ltscript`). */
const LEGACY_PREFIXES = ['quot', 'amp', 'lt', 'gt']
const MAX_NAME = 32

function isAlphanumeric(code: number) {
  return (code >= 0x30 && code <= 0x39) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a)
}

const ASCII = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code))

function codePoint(n: number): string {
  if (n > 0 && n < 128) return ASCII[n]!
  return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '\uFFFD'
}

/** Where the last entity read by readEntity() ends (one less allocation per entity). */
let entityEnd = 0

/** The character reference starting at `at` (an `&`), or null; it ends at `entityEnd`. */
function readEntity(value: string, at: number): string | null {
  let end = at + 1
  if (value.charCodeAt(end) === 0x23) {
    const hex = (value.charCodeAt(end + 1) | 0x20) === 0x78
    end += hex ? 2 : 1
    const start = end
    let number = 0
    while (end - start < 8) {
      const code = value.charCodeAt(end)
      const digit = hex ? hexValue(code) : code >= 0x30 && code <= 0x39 ? code - 0x30 : -1
      if (digit < 0) break
      number = number * (hex ? 16 : 10) + digit
      end++
    }
    if (end === start) return null
    entityEnd = value.charCodeAt(end) === 0x3b ? end + 1 : end
    return codePoint(number)
  }
  while (end - at <= MAX_NAME && isAlphanumeric(value.charCodeAt(end))) end++
  if (end === at + 1) return null
  const name = value.slice(at + 1, end).toLowerCase()
  const named = NAMED_ENTITIES[name]
  if (named) {
    entityEnd = value.charCodeAt(end) === 0x3b ? end + 1 : end
    return named
  }
  const legacy = LEGACY_PREFIXES.find((prefix) => name.startsWith(prefix))
  if (!legacy) return null
  entityEnd = at + 1 + legacy.length
  return NAMED_ENTITIES[legacy]!
}

/** HTML character references, numeric and named, with or without the semicolon. */
export function htmlEntityDecode(value: string): string {
  let amp = value.indexOf('&')
  if (amp < 0) return value
  let out = ''
  let from = 0
  while (amp >= 0) {
    const entity = readEntity(value, amp)
    if (entity !== null) {
      out += value.slice(from, amp) + entity
      from = entityEnd
    }
    amp = value.indexOf('&', entity !== null ? from : amp + 1)
  }
  return out + value.slice(from)
}

/**
 * `/* … *\/` becomes one space, as SQL and JavaScript read it; MySQL's
 * executable comments (`/*!50000select*\/`) keep their content.
 */
export function replaceBlockComments(value: string): string {
  let start = value.indexOf('/*')
  if (start < 0) return value
  let out = ''
  let from = 0
  while (start >= 0) {
    const end = value.indexOf('*/', start + 2)
    if (end < 0) break
    const body = value.slice(start + 2, end)
    out += `${value.slice(from, start)} ${body.startsWith('!') ? `${body.replace(/^!\d{0,6}/, '')} ` : ''}`
    from = end + 2
    start = value.indexOf('/*', from)
  }
  return out + value.slice(from)
}

const NON_ASCII = /[^\x00-\x7f]/
const NEEDS_DEEP_VIEW = /[%&\x00\u0080-\uffff]|\/\*/
const ESCAPE = /%[0-9a-f]{2}/i
const ANY_ESCAPE = /%(?:[0-9a-f]{2}|u[0-9a-f]{4})/i

/** The value as a second decoder would see it; the same string when nothing changes. */
export function deepView(text: string): string {
  if (!NEEDS_DEEP_VIEW.test(text)) return text
  // A value still holding escapes was encoded twice: decode it as a form field again.
  // ("50% off" holds none: no copy through a buffer for it.)
  let view = ANY_ESCAPE.test(text) ? decodeEscapes(text, { plus: ESCAPE.test(text), unicode: true }) : text
  view = htmlEntityDecode(view)
  if (NON_ASCII.test(view)) view = view.normalize('NFKC')
  if (view.includes('\x00')) view = view.replaceAll('\x00', '')
  return replaceBlockComments(view)
}
