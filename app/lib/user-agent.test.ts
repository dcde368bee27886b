import { describe, expect, test } from 'vitest'
import { clientFamily, describeDevice } from './user-agent'

test.each([
  ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Chrome on Linux'],
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
    'Edge on Windows',
  ],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on macOS'],
  [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    'Safari on iOS',
  ],
  ['Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36', 'Chrome on Android'],
  ['curl/8.5.0', 'curl'],
  ['', 'Unknown device'],
  [null, 'Unknown device'],
])('%s is %s', (userAgent, expected) => {
  expect(describeDevice(userAgent)).toBe(expected)
})

describe('clientFamily', () => {
  const CHROME_WINDOWS = (version: number) =>
    `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${version}.0.0.0 Safari/537.36`
  const FIREFOX_MAC = (version: number) => `Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:${version}.0) Gecko/20100101 Firefox/${version}.0`

  test('a browser or system update is the same client', () => {
    expect(clientFamily(CHROME_WINDOWS(120))).toBe(clientFamily(CHROME_WINDOWS(131)))
    expect(clientFamily(FIREFOX_MAC(115))).toBe(clientFamily(FIREFOX_MAC(133).replace('14.7', '15.1')))
    expect(clientFamily('python-requests/2.28.1')).toBe(clientFamily('python-requests/2.31.0'))
    expect(clientFamily(CHROME_WINDOWS(131))).toBe('Chrome on Windows')
  })

  test('another browser family, operating system or program is another client', () => {
    const families = [
      CHROME_WINDOWS(131),
      `${CHROME_WINDOWS(131)} Edg/131.0.0.0`,
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
      FIREFOX_MAC(133),
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
      'curl/8.5.0',
      'python-requests/2.31.0',
      '',
    ].map(clientFamily)
    expect(new Set(families).size).toBe(families.length)
  })

  test('a missing user agent is a client of its own', () => {
    expect(clientFamily(null)).toBe(clientFamily('  '))
    expect(clientFamily(null)).not.toBe(clientFamily('node'))
  })
})
