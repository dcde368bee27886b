/**
 * What a process does beyond answering requests, as a seam other modules
 * register with: readiness checks (`/readyz` runs them all) and shutdown
 * hooks (run when the process stops, after it stops accepting connections and
 * before it waits for the requests in flight — so a stream that never ends by
 * itself, such as server-sent events, is told to end and lets the wait finish).
 */
import type { Logger } from 'pino'

/** Resolves when the dependency answers; rejects (or times out) when it does not. */
export type ReadinessCheck = () => Promise<unknown>

export interface CheckResult {
  status: 'ok' | 'failing'
  latencyMs: number
  error?: string
}

export interface Readiness {
  ready: boolean
  checks: Record<string, CheckResult>
}

/** A check that has not answered within this long is failing: a probe must answer before its own timeout. */
const CHECK_TIMEOUT_MS = 2_000

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

/** How long each shutdown hook may take when the caller names no budget (tests, closeServices). */
const DEFAULT_HOOK_TIMEOUT_MS = 5_000

export class Lifecycle {
  #stopping: Promise<void> | undefined
  readonly #checks = new Map<string, ReadinessCheck>()
  readonly #shutdownHooks: { name: string; run: () => unknown }[] = []

  /** True once the process has begun to stop: readiness fails, so no new traffic is routed here. */
  get stopping() {
    return this.#stopping !== undefined
  }

  constructor(private readonly logger: Logger) {}

  addReadinessCheck(name: string, check: ReadinessCheck) {
    if (this.#checks.has(name)) throw new Error(`readiness check ${name} is already registered`)
    this.#checks.set(name, check)
  }

  /** `run` is called once when the process stops; hooks run in the order they were registered. */
  onShutdown(name: string, run: () => unknown) {
    this.#shutdownHooks.push({ name, run })
  }

  /** Every check, run side by side; ready when all pass and the process is not stopping. */
  async readiness(): Promise<Readiness> {
    const entries = await Promise.all(
      [...this.#checks].map(async ([name, check]): Promise<[string, CheckResult]> => {
        const started = performance.now()
        const latencyMs = () => Math.round(performance.now() - started)
        try {
          await withTimeout(check(), CHECK_TIMEOUT_MS, name)
          return [name, { status: 'ok', latencyMs: latencyMs() }]
        } catch (error) {
          return [name, { status: 'failing', latencyMs: latencyMs(), error: error instanceof Error ? error.message : String(error) }]
        }
      }),
    )
    const checks = Object.fromEntries(entries)
    if (this.stopping) checks.shutdown = { status: 'failing', latencyMs: 0, error: 'the process is stopping' }
    return { ready: Object.values(checks).every((check) => check.status === 'ok'), checks }
  }

  /**
   * Marks the process stopping and runs the shutdown hooks, each bounded by
   * `timeoutMs`; a failing hook is logged, never thrown. Once: a later call
   * (closeServices after the start script's shutdown) waits for the same run.
   */
  beginShutdown(timeoutMs = DEFAULT_HOOK_TIMEOUT_MS): Promise<void> {
    this.#stopping ??= (async () => {
      for (const hook of this.#shutdownHooks) {
        try {
          await withTimeout(Promise.resolve().then(hook.run), timeoutMs, `shutdown hook ${hook.name}`)
        } catch (error) {
          this.logger.warn({ err: error, hook: hook.name }, 'shutdown hook failed')
        }
      }
    })()
    return this.#stopping
  }
}
