/** "2026-11-27 10:20 UTC" (or "… 10:20:05 UTC"): the same on the server and in every browser, so hydration agrees. */
export function formatUtc(value: Date | string, { seconds = false } = {}): string {
  return `${new Date(value)
    .toISOString()
    .slice(0, seconds ? 19 : 16)
    .replace('T', ' ')} UTC`
}
