import type { Outcome } from './policies'

/**
 * The limits one request met on its way through — the HTTP layer's and those
 * checked later in loaders and actions — so that the response headers can
 * describe the tightest. Keyed by the request's load context. The registry
 * lives on globalThis because the HTTP layer and the Remix build each carry
 * their own copy of this module.
 */
const KEY = Symbol.for('nextsaas.rateLimitOutcomes')
const registry: WeakMap<object, Outcome[]> = ((globalThis as Record<symbol, unknown>)[KEY] ??= new WeakMap()) as WeakMap<
  object,
  Outcome[]
>

/** Starts collecting for a request (the HTTP layer does this once per request). */
export function trackOutcomes(context: object): Outcome[] {
  const outcomes: Outcome[] = []
  registry.set(context, outcomes)
  return outcomes
}

/** Adds what a loader or action learned; a no-op for requests nobody tracks. */
export function noteOutcomes(context: object, outcomes: readonly Outcome[]) {
  registry.get(context)?.push(...outcomes)
}
