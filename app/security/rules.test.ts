import { describe, expect, test } from 'vitest'
import { RULES } from './rules.server'
import { createScanner } from './scanner.server'
import { LOCATIONS, type Rule } from './types'

const OPTIONS = { maxValueChars: 1 << 20, maxRequestChars: 1 << 22, richTextFields: new Set<string>() }

function locationOf(rule: Rule) {
  return rule.locations?.[0] ?? 'body'
}

function ruleIdsFor(rule: Rule, value: string) {
  return createScanner([rule])
    .scan([{ location: locationOf(rule), field: 'field', value }], OPTIONS)
    .map((finding) => finding.ruleId)
}

describe('the rule catalog', () => {
  test('rule ids are unique and every rule has examples both ways', () => {
    expect(new Set(RULES.map((rule) => rule.id)).size).toBe(RULES.length)
    for (const rule of RULES) {
      expect(rule.examples.attack.length, rule.id).toBeGreaterThan(0)
      expect(rule.examples.benign.length, rule.id).toBeGreaterThan(0)
      for (const location of rule.locations ?? []) expect(LOCATIONS).toContain(location)
    }
  })

  // The scanner lowercases values and compiles sources without flags, and
  // numbers nothing by group: a pattern must fit that.
  test.each(RULES.map((rule) => [rule.id, rule] as const))('%s is lowercase, case-insensitive, group-free and never empty', (_, rule) => {
    expect(rule.pattern.flags).toBe('i')
    expect(rule.pattern.source.replace(/\\./g, '')).not.toMatch(/[A-Z]/)
    expect(new RegExp(`${rule.pattern.source}|`).exec('')!.length).toBe(1)
    expect(rule.pattern.test('')).toBe(false)
  })
})

describe.each(RULES.map((rule) => [rule.id, rule] as const))('%s', (_, rule) => {
  test.each(rule.examples.attack.map((value) => [value]))('flags %j', (value) => {
    expect(ruleIdsFor(rule, value)).toContain(rule.id)
    expect(ruleIdsFor(rule, value.toUpperCase()), 'case must not matter').toContain(rule.id)
  })

  test.each(rule.examples.benign.map((value) => [value]))('leaves %j alone', (value) => {
    expect(ruleIdsFor(rule, value)).toEqual([])
  })
})

/**
 * Catastrophic backtracking shows on long runs of a pattern's own prefixes:
 * each example of each rule is cut at every length and repeated to 100 KB.
 * A linear pattern reads that in about a millisecond; a backtracking one takes
 * seconds or more (quadratic alone is ~10^10 steps here). The limit is loose
 * so that a busy machine does not fail it; the bench reports real timings.
 */
describe('linear time', () => {
  const SIZE = 100 * 1024
  const LIMIT_MS = 50

  function pathologicalInputs(rule: Rule): string[] {
    const inputs = new Set<string>()
    for (const example of rule.examples.attack) {
      const lower = example.toLowerCase()
      // Every cut up to 24 characters: longer prefixes add nothing a pattern could loop on.
      for (let length = 1; length <= Math.min(lower.length, 24); length++) {
        const prefix = lower.slice(0, length)
        inputs.add(prefix.repeat(Math.ceil(SIZE / prefix.length)).slice(0, SIZE))
        // The same prefix padded with spaces, which many patterns allow between tokens.
        inputs.add(`${prefix}        `.repeat(Math.ceil(SIZE / (prefix.length + 8))).slice(0, SIZE))
      }
    }
    for (const filler of [' ', 'a', '1', "'", '"', '<', '(', '/', '.', '%', ';', '$', '\t', '\\', '-', '=']) inputs.add(filler.repeat(SIZE))
    return [...inputs]
  }

  /** The fastest of five runs, so that a pause of the machine is not taken for backtracking. */
  function timeExec(regex: RegExp, input: string) {
    let best = Infinity
    for (let run = 0; run < 5; run++) {
      const started = performance.now()
      regex.exec(input)
      best = Math.min(best, performance.now() - started)
      if (best < LIMIT_MS / 5) break
    }
    return best
  }

  test.each(RULES.map((rule) => [rule.id, rule] as const))('%s on 100 KB of repeated prefixes', (_, rule) => {
    const regex = new RegExp(rule.pattern.source)
    // Compiled to machine code before it is timed (V8 first interprets a regex).
    for (let run = 0; run < 3; run++) regex.exec('warm up')
    let worst = 0
    let worstInput = ''
    for (const input of pathologicalInputs(rule)) {
      const elapsed = timeExec(regex, input)
      if (elapsed > worst) [worst, worstInput] = [elapsed, input]
    }
    expect(worst, `worst input starts ${JSON.stringify(worstInput.slice(0, 40))}`).toBeLessThan(LIMIT_MS)
  })

  test('the whole scanner, every rule and both views, reads 100 KB of mixed attack prefixes in linear time', () => {
    const scanner = createScanner()
    const soup = RULES.flatMap((rule) => rule.examples.attack.map((example) => example.slice(0, -1))).join(' ')
    const value = soup.repeat(Math.ceil(SIZE / soup.length)).slice(0, SIZE)
    const parts = [{ location: 'body' as const, field: 'x', value }]
    scanner.scan(parts, OPTIONS)
    let best = Infinity
    for (let run = 0; run < 3; run++) {
      const started = performance.now()
      scanner.scan(parts, OPTIONS)
      best = Math.min(best, performance.now() - started)
    }
    // About 20 ms on an idle machine.
    expect(best).toBeLessThan(150)
  })
})
