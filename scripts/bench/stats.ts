/** The numbers the benchmarks report: medians and percentiles of samples. */

export function percentile(sorted: readonly number[], p: number) {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN
}

export const median = (values: readonly number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  )

export function summarizeTimes(samples: readonly number[]) {
  const sorted = [...samples].sort((a, b) => a - b)
  return { median: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99) }
}

/** The benchmarks' machine-readable result: one JSON object on the last line of their output (`--json`). */
export function printJson(result: unknown) {
  console.log(JSON.stringify(result))
}
