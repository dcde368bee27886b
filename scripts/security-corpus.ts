/**
 * The shared attack/benign corpus (../shared/security-corpus, see its README)
 * turned into HTTP requests: each value in the location it came from, encoded
 * so that the app decodes it back exactly once. Used by `npm run
 * bench:security` (over HTTP) and by tests/security/security-corpus.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

export const CORPUS_DIR = path.resolve(process.cwd(), '..', 'shared', 'security-corpus')
export const CORPUS_FILES = ['attacks.jsonl', 'benign.jsonl', 'benign-realistic.jsonl'] as const
export type CorpusFile = (typeof CORPUS_FILES)[number]

export interface CorpusEntry {
  file: CorpusFile
  category: string
  location: 'query' | 'body' | 'header' | 'cookie' | 'path'
  name: string | null
  value: string
  source: string
  part?: 'name' | 'filename'
  pl?: number
  kind?: string
  crs_known_fp?: boolean
}

export function corpusAvailable(dir = CORPUS_DIR): boolean {
  return CORPUS_FILES.every((file) => existsSync(path.join(dir, file)))
}

export function loadCorpus(dir = CORPUS_DIR): CorpusEntry[] {
  return CORPUS_FILES.flatMap((file) =>
    readFileSync(path.join(dir, file), 'utf8')
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => ({ ...(JSON.parse(line) as Omit<CorpusEntry, 'file'>), file })),
  )
}

export interface CorpusRequest {
  method: 'GET' | 'POST'
  /** The raw request target, as it goes on the request line. */
  target: string
  headers: Record<string, string>
  body?: string
}

/** Where every corpus request is sent: a page that exists, so benign requests do ordinary work. */
const TARGET = '/login'

const form = encodeURIComponent
/**
 * Percent-encodes only what cannot travel raw on a request line (controls,
 * space, non-ASCII) or would end the path (`?`, `#`), and `%` itself; dots,
 * slashes and quotes go as they are, the way attack tools send them.
 */
const rawPath = (value: string) => Array.from(value, (c) => (/[^\x21-\x7e]|[%?#]/.test(c) ? encodeURIComponent(c) : c)).join('')
/** Header values travel as bytes: no CR, LF or NUL, and nothing beyond Latin-1. */
const UNSENDABLE_HEADER = /[\r\n\x00]|[^\x00-\xff]/

/** The request that puts an entry's value where it was found, or why HTTP cannot carry it. */
export function corpusRequest(entry: CorpusEntry): CorpusRequest | { unsendable: string } {
  const field = entry.name ?? 'value'
  switch (entry.location) {
    case 'query':
      return { method: 'GET', target: `${TARGET}?${entry.part === 'name' ? form(entry.value) : `${form(field)}=${form(entry.value)}`}`, headers: {} }
    case 'body':
      if (entry.part === 'filename') {
        const boundary = 'corpus-boundary-7MA4YWxkTrZu0gW'
        const body = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${entry.value}"\r\nContent-Type: application/octet-stream\r\n\r\nx\r\n--${boundary}--\r\n`
        return { method: 'POST', target: TARGET, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body }
      }
      return {
        method: 'POST',
        target: TARGET,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: entry.part === 'name' ? form(entry.value) : `${form(field)}=${form(entry.value)}`,
      }
    case 'header':
      if (UNSENDABLE_HEADER.test(entry.value)) return { unsendable: 'header value with CR/LF/NUL or beyond Latin-1' }
      return { method: 'GET', target: TARGET, headers: { [field.toLowerCase()]: entry.value } }
    case 'cookie': {
      const cookie = entry.part === 'name' ? `${entry.value}=1` : `${field}=${form(entry.value)}`
      if (UNSENDABLE_HEADER.test(cookie)) return { unsendable: 'cookie with CR/LF/NUL or beyond Latin-1' }
      return { method: 'GET', target: TARGET, headers: { cookie } }
    }
    case 'path':
      return { method: 'GET', target: rawPath(entry.value.startsWith('/') ? entry.value : `/${entry.value}`), headers: {} }
  }
}

/** The grouping the corpus README asks for: category and paranoia level, code snippets apart. */
export function corpusGroup(entry: CorpusEntry): string {
  if (entry.file === 'attacks.jsonl') return `${entry.category} PL${entry.pl}`
  if (entry.file === 'benign-realistic.jsonl') return entry.kind === 'code_snippet' ? 'code snippets' : 'non-code'
  return entry.category
}
