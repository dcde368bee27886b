import { describe, expect, test } from 'vitest'
import { bodyKind, rawBody, requestParts } from './request-parts.server'

/** The body parts of a multipart request, as the monitor reads them. */
async function multipartParts(body: Buffer | string, boundary: string) {
  const contentType = `multipart/form-data; boundary=${boundary}`
  expect(bodyKind(contentType)).toBe('multipart')
  const raw = await rawBody('multipart', Buffer.from(body), contentType)
  const parts = [...requestParts({ target: '/', headers: {}, body: raw })].filter((part) => part.location === 'body')
  return { raw, parts: parts.map(({ field, value, inName }) => [field, value, inName ?? false]) }
}

async function encoded(form: FormData) {
  const request = new Request('http://localhost/', { method: 'POST', body: form })
  const boundary = /boundary=(.+)$/.exec(request.headers.get('content-type')!)![1]!
  return { body: Buffer.from(await request.arrayBuffer()), boundary }
}

describe('multipart bodies', () => {
  test('names, values and filenames are parts; passwords and file contents are not', async () => {
    const form = new FormData()
    form.append('name', 'Zoë <b>')
    form.append('password', "secret' or 1=1")
    form.append('avatar', new File(['file content is never read'], '../photo.png', { type: 'image/png' }))
    const { body, boundary } = await encoded(form)
    const { raw, parts } = await multipartParts(body, boundary)
    expect(parts).toEqual([
      ['name', 'name', true],
      ['name', 'Zoë <b>', false],
      ['password', 'password', true],
      ['avatar', 'avatar', true],
      ['avatar', '../photo.png', false],
    ])
    expect(raw).toMatchObject({ files: 1 })
  })

  test('a body the app cannot parse is one value: its text', async () => {
    const { raw, parts } = await multipartParts('--b\r\nnot a part header\r\n\r\n1 union select 1', 'b')
    expect(parts).toEqual([[null, '--b\r\nnot a part header\r\n\r\n1 union select 1', false]])
    expect(raw).toMatchObject({ files: 0 })
  })

  test('parsing stays linear on a megabyte of near-boundaries', async () => {
    const boundary = 'a'.repeat(60)
    const near = `\r\n--${'a'.repeat(59)}b`
    const value = near.repeat(Math.floor(1_000_000 / near.length))
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="v"\r\n\r\n${value}\r\n--${boundary}--\r\n`
    const started = performance.now()
    const { parts } = await multipartParts(body, boundary)
    expect(performance.now() - started).toBeLessThan(500)
    expect(parts[1]![1]).toBe(value)
  })
})
