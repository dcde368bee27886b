import { afterAll, afterEach, beforeEach } from 'vitest'
import { consoleErrorFailure, consoleErrors, watchConsoleErrors } from '../utils/console'

/**
 * A console.error fails the test during which it was called, unless the test
 * expects it (expectConsoleError / allowConsoleError in tests/utils/console).
 * Calls outside any test (while the file is collected, in beforeAll or
 * afterAll) fail the file. A callback that outlives its test counts for
 * whatever runs when it fires.
 *
 * Registered before the test file's own hooks: with vitest's default "stack"
 * order this beforeEach runs first and this afterEach and afterAll run last,
 * so errors logged in the file's own hooks count too.
 */
watchConsoleErrors()

beforeEach(() => {
  const state = consoleErrors()
  state.inTest = true
  state.testCalls = []
  state.testAllowances = []
})

afterEach(() => {
  const state = consoleErrors()
  const failure = consoleErrorFailure(state.testCalls, [...state.testAllowances, ...state.fileAllowances], state.testAllowances, 'during this test')
  state.inTest = false
  state.testCalls = []
  state.testAllowances = []
  if (failure) throw new Error(failure)
})

afterAll(() => {
  const state = consoleErrors()
  const failure = consoleErrorFailure(state.outsideCalls, state.fileAllowances, state.fileAllowances, 'in this file outside its tests')
  state.outsideCalls = []
  if (failure) throw new Error(failure)
})
