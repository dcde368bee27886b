/** "2026-11-27 10:20 UTC": the same on the server and in every browser, so hydration agrees. */
export function formatUtc(value: Date | string): string {
  return `${new Date(value).toISOString().slice(0, 16).replace('T', ' ')} UTC`
}
