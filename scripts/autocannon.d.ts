/** The part of autocannon's API that scripts/bench-api.ts uses (the package ships no types). */
declare module 'autocannon' {
  interface RawRequest {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string
  }
  interface Options {
    url: string
    connections?: number
    duration?: number
    requests?: { setupRequest?: (request: RawRequest) => RawRequest }[]
  }
  interface Histogram {
    average: number
    p50: number
    p99: number
  }
  interface Result {
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    /** Responses per status code. */
    statusCodeStats: Record<string, { count: number }>
    latency: Histogram
    requests: Histogram & { total: number }
  }
  export default function autocannon(options: Options, done: (error: Error | null, result: Result) => void): unknown
}
