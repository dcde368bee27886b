const BROWSERS: [RegExp, string][] = [
  [/Edg(e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/Chrome\/|CriOS\/|Chromium\//, 'Chrome'],
  [/Safari\//, 'Safari'],
  [/curl\//, 'curl'],
]
const SYSTEMS: [RegExp, string][] = [
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Android/, 'Android'],
  [/CrOS/, 'ChromeOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux/, 'Linux'],
]

/** "Firefox on Windows": enough for a person to recognise their own device. */
export function describeDevice(userAgent: string | null | undefined): string {
  if (!userAgent) return 'Unknown device'
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1]
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1]
  if (browser && system) return `${browser} on ${system}`
  return browser ?? system ?? 'Unknown device'
}

/** The product a non-browser client names first: `python-requests/2.31` → python-requests. */
const PRODUCT = /^\s*([a-z][\w.-]{0,40})/i

/**
 * The client a session is used from, coarsely: browser family and operating
 * system ("Firefox on Windows"), so that updating either changes nothing; a
 * client that is no known browser is named by its product ("python-requests").
 */
export function clientFamily(userAgent: string | null | undefined): string {
  if (!userAgent?.trim()) return 'no user agent'
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1] ?? PRODUCT.exec(userAgent)?.[1]!.toLowerCase() ?? 'unknown client'
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1]
  return system ? `${browser} on ${system}` : browser
}
