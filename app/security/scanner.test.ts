import { describe, expect, test } from 'vitest'
import { requestParts, splitTarget } from './request-parts.server'
import { createScanner, leafName, UNINSPECTED_REQUEST, UNINSPECTED_VALUE, type RequestPart } from './scanner.server'

const scanner = createScanner()
const OPTIONS = { maxValueChars: 4096, maxRequestChars: 65536, richTextFields: new Set(['description']) }
const scan = (parts: RequestPart[], options = OPTIONS) => scanner.scan(parts, options)

describe('request parts', () => {
  test('the path is taken raw: /../ is not resolved and the query is split off', () => {
    expect(splitTarget('/a/../b?x=1#frag')).toEqual({ path: '/a/../b', query: 'x=1' })
    const [path] = requestParts({ target: '/a/%2e%2e/b', headers: {} })
    expect(path).toEqual({ location: 'path', field: null, value: '/a/../b' })
  })

  test('query and form names and values are decoded once, plus as space', () => {
    const parts = [...requestParts({ target: '/x?na%20me=a+b%2527', headers: {} })].filter((p) => p.location === 'query')
    expect(parts).toEqual([
      { location: 'query', field: 'na me', value: 'na me', inName: true },
      { location: 'query', field: 'na me', value: 'a b%27' },
    ])
  })

  test('JSON keys and string leaves at any depth, never numbers; secrets are left out', () => {
    const text = JSON.stringify({ a: { b: [{ c: 'deep' }, 7] }, password: "' or 1=1", newPassword: 'x' })
    const parts = [...requestParts({ target: '/', headers: {}, body: { kind: 'json', text } })].filter((p) => p.location === 'body')
    expect(parts.map((p) => `${p.field}=${p.value}`)).toEqual(['a=a', 'password=password', 'newPassword=newPassword', 'b=b', 'c=c', 'c=deep'])
  })

  test('a deeply nested JSON document is walked without recursion', () => {
    const text = `${'['.repeat(5000)}"x"${']'.repeat(5000)}`
    const parts = [...requestParts({ target: '/', headers: {}, body: { kind: 'json', text } })]
    expect(parts.at(-1)).toEqual({ location: 'body', field: null, value: 'x' })
  })

  test('cookies are split and their values percent-decoded; fixed headers are skipped', () => {
    const parts = [
      ...requestParts({
        target: '/',
        headers: { cookie: 'a=%3Cb%3E; theme=dark', accept: '<script>', 'user-agent': 'UA', 'sec-fetch-mode': 'cors' },
      }),
    ]
    expect(parts.filter((p) => p.location === 'cookie' && !p.inName).map((p) => p.value)).toEqual(['<b>', 'dark'])
    expect(parts.filter((p) => p.location === 'header').map((p) => p.field)).toEqual(['user-agent'])
  })
})

describe('the scanner', () => {
  test('a rich-text field is inspected but never blocking; its name still is', () => {
    const [finding] = scan([{ location: 'body', field: 'project[description]', value: '<script>x</script>' }])
    expect(finding).toMatchObject({ ruleId: 'xss-script-tag', blockable: false })
    expect(leafName('project[description]')).toBe('description')
    expect(leafName('settings.Description')).toBe('description')
    const [inName] = scan([{ location: 'body', field: '<script>', value: '<script>', inName: true }])
    expect(inName).toMatchObject({ blockable: true })
  })

  test('what a second decoder would see is inspected too', () => {
    const findings = scan([{ location: 'query', field: 'q', value: '%3Cscript%3Ealert(1)' }])
    expect(findings.map((f) => f.ruleId)).toContain('xss-script-tag')
    expect(findings.find((f) => f.ruleId === 'xss-script-tag')!.sample).toContain('<script>')
  })

  test('a value past the bound is inspected up to it and reported as uninspected', () => {
    const value = `${'a'.repeat(5000)}<script>`
    const findings = scan([{ location: 'body', field: 'x', value }])
    expect(findings.map((f) => f.ruleId)).toEqual([UNINSPECTED_VALUE])
    expect(findings[0]).toMatchObject({ type: 'SUSPICIOUS_ACTIVITY', severity: 'MEDIUM', blockable: false })
    expect(scan([{ location: 'body', field: 'x', value: `<script>${'a'.repeat(5000)}` }]).map((f) => f.ruleId)).toContain('xss-script-tag')
  })

  test('a request past its budget stops there and says so', () => {
    const parts = Array.from({ length: 1000 }, (_, i) => ({ location: 'body' as const, field: `f${i}`, value: 'x'.repeat(100) }))
    parts.push({ location: 'body', field: 'late', value: "' or 1=1--" })
    expect(scan(parts).map((f) => f.ruleId)).toEqual([UNINSPECTED_REQUEST])
  })

  test('a value remembered as clean in one location is still caught where a rule applies to it', () => {
    const fresh = createScanner()
    for (let i = 0; i < 2; i++) {
      expect(fresh.scan([{ location: 'cookie', field: 'sqlmap', value: 'sqlmap', inName: true }], OPTIONS)).toEqual([])
      expect(fresh.scan([{ location: 'header', field: 'x-file', value: '/.env' }], OPTIONS)).toEqual([])
    }
    expect(fresh.scan([{ location: 'header', field: 'user-agent', value: 'sqlmap' }], OPTIONS).map((f) => f.ruleId)).toEqual(['scanner-user-agent'])
    expect(fresh.scan([{ location: 'path', field: null, value: '/.env' }], OPTIONS).map((f) => f.ruleId)).toContain('traversal-hidden-path')
    const ua = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0'
    for (let i = 0; i < 2; i++) expect(fresh.scan([{ location: 'header', field: 'user-agent', value: ua }], OPTIONS)).toEqual([])
    expect(fresh.scan([{ location: 'header', field: 'user-agent', value: `${ua} <script>` }], OPTIONS)).not.toEqual([])
  })

  test('every rule that matches is reported once, with a short sample around the match', () => {
    const value = `${'x'.repeat(300)}' UNION SELECT password FROM users --`
    const findings = scan([{ location: 'body', field: 'x', value }])
    expect(new Set(findings.map((f) => f.ruleId)).size).toBe(findings.length)
    const union = findings.find((f) => f.ruleId === 'sqli-union-select')!
    expect(union.sample.length).toBeLessThanOrEqual(160)
    expect(union.sample).toContain('UNION SELECT')
  })
})
