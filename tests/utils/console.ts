import { format } from 'node:util'

/**
 * console.error during a test fails it (tests/setup/console-errors.ts), unless
 * the test says it expects one. The app's own error log goes to console.error
 * in tests (see startApp), so an unhandled error, a 5xx or a failed background
 * job fails the test that caused it.
 *
 * Called inside a test, these apply to that test; called at the top of a file
 * (or in beforeAll), to every test of the file and to its hooks.
 */
export function expectConsoleError(pattern: RegExp | string) {
  allowance(pattern, true)
}

/** Like expectConsoleError, but the error may also not come (a race the test does not control). */
export function allowConsoleError(pattern: RegExp | string) {
  allowance(pattern, false)
}

export interface Allowance {
  pattern: RegExp | string
  /** Must have matched at least once by the end of its scope. */
  required: boolean
  matched: number
}

export interface ConsoleErrors {
  /** Between the setup file's beforeEach and afterEach. */
  inTest: boolean
  /** The calls of the running test, and those made outside any test (collection, beforeAll, afterAll). */
  testCalls: string[]
  outsideCalls: string[]
  testAllowances: Allowance[]
  fileAllowances: Allowance[]
}

// On globalThis: the setup file and the test file must see the same state even if they load this module apart.
const KEY = Symbol.for('nextsaas.tests.consoleErrors')
const holder = globalThis as unknown as Record<typeof KEY, ConsoleErrors | undefined>

export function consoleErrors(): ConsoleErrors {
  holder[KEY] ??= { inTest: false, testCalls: [], outsideCalls: [], testAllowances: [], fileAllowances: [] }
  return holder[KEY]
}

function allowance(pattern: RegExp | string, required: boolean) {
  const state = consoleErrors()
  ;(state.inTest ? state.testAllowances : state.fileAllowances).push({ pattern, required, matched: 0 })
}

/** Records every console.error call, then prints it as before. Idempotent. */
export function watchConsoleErrors() {
  const marker = Symbol.for('nextsaas.tests.consoleErrors.wrapped')
  const current = console.error as typeof console.error & { [marker]?: true }
  if (current[marker]) return
  const wrapped = Object.assign(
    (...args: unknown[]) => {
      const state = consoleErrors()
      ;(state.inTest ? state.testCalls : state.outsideCalls).push(format(...args))
      current.apply(console, args)
    },
    { [marker]: true as const },
  )
  console.error = wrapped
}

const matches = (pattern: RegExp | string, message: string) => (typeof pattern === 'string' ? message.includes(pattern) : pattern.test(message))

/**
 * The failure for a scope (a test, or the file outside its tests): calls that
 * no allowance covers, and required allowances of the scope that never matched.
 * Null when all is well. `allowances` are all that apply; `scope` those to be
 * settled now.
 */
export function consoleErrorFailure(calls: string[], allowances: Allowance[], scope: Allowance[], where: string): string | null {
  const unexpected = calls.filter((message) => {
    const allowedBy = allowances.filter((a) => matches(a.pattern, message))
    for (const a of allowedBy) a.matched++
    return allowedBy.length === 0
  })
  const missing = scope.filter((a) => a.required && a.matched === 0)
  if (unexpected.length === 0 && missing.length === 0) return null
  const clip = (message: string) => (message.length > 2000 ? `${message.slice(0, 2000)}…` : message)
  return [
    ...unexpected.map(
      (message) =>
        `console.error was called ${where} and nothing expected it:\n${clip(message)}\n` +
        '(If the test provokes this on purpose, say so with expectConsoleError(pattern) from tests/utils/console.)',
    ),
    ...missing.map((a) => `expectConsoleError(${String(a.pattern)}) ${where}, but no console.error matched it`),
  ].join('\n\n')
}
