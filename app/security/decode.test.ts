import { describe, expect, test } from 'vitest'
import { deepView, htmlEntityDecode, percentDecode, replaceBlockComments } from './decode.server'

describe('percentDecode', () => {
  test('decodes once, like the app', () => {
    expect(percentDecode('%3Cb%3E')).toBe('<b>')
    expect(percentDecode('%253C')).toBe('%3C')
  })

  test('keeps malformed escapes instead of failing', () => {
    expect(percentDecode('100% sure %3C')).toBe('100% sure <')
    expect(percentDecode('%E0%A4%A')).toBe('\uFFFD%A')
  })
})

describe('htmlEntityDecode', () => {
  test('numeric references, with and without the semicolon', () => {
    expect(htmlEntityDecode('&#60;&#x3C;&#62')).toBe('<<>')
    expect(htmlEntityDecode('java&#10script')).toBe('java\nscript')
  })

  test('named references, including the ones browsers accept without semicolon', () => {
    expect(htmlEntityDecode('&lt;x&gt;&Tab;&colon;&NewLine;')).toBe('<x>\t:\n')
    expect(htmlEntityDecode('&ltscript')).toBe('<script')
  })

  test('leaves text that only contains ampersands alone', () => {
    expect(htmlEntityDecode('Ben & Jerry &unknown; &#99999999;')).toBe('Ben & Jerry &unknown; \uFFFD')
  })
})

describe('replaceBlockComments', () => {
  test('turns comments into spaces and keeps MySQL executable comments', () => {
    expect(replaceBlockComments('UNION/**/SELECT')).toBe('UNION SELECT')
    expect(replaceBlockComments('1/*!50000union*/2')).toBe('1 union 2')
    expect(replaceBlockComments('no end /* here')).toBe('no end /* here')
  })
})

describe('deepView', () => {
  test('is the same string when there is nothing to decode', () => {
    const text = "O'Brien & Sons"
    expect(deepView(text)).toBe(text)
  })

  test('undoes a second layer of encoding, entities, fullwidth forms and NULs', () => {
    expect(deepView('%253Cscript%253E')).toBe('%3Cscript%3E')
    expect(deepView('%3Cscript%3E')).toBe('<script>')
    expect(deepView('%22+OR+1')).toBe('" OR 1')
    expect(deepView('%uff1cscript%uff1e')).toBe('<script>')
    expect(deepView('＜script＞')).toBe('<script>')
    expect(deepView('&lt;img&gt;')).toBe('<img>')
    expect(deepView('a\x00b')).toBe('ab')
  })

  test('is linear on a megabyte of escape-like input', () => {
    for (const unit of ['%', '%2', '&#', '&#1', '/*', '/*!', '&lt', '%u00']) {
      const input = unit.repeat(Math.ceil((1 << 20) / unit.length))
      const started = performance.now()
      deepView(input)
      // Quadratic work on a megabyte would take minutes; the bound is loose for busy machines.
      expect(performance.now() - started, unit).toBeLessThan(2000)
    }
  })
})
