import { deepView } from './decode.server'
import { RULES } from './rules.server'
import type { Finding, Location, Rule, Severity, ThreatType } from './types'

/**
 * Runs the rules over the values of one request, within a budget.
 *
 * Each view of a value is lowercased once and tested against one alternation
 * of all the rules (written lowercase, compiled without the `i` flag, which is
 * slower). Only a value that matches something is then run through the rules
 * of its location one by one, so that every matching rule is reported.
 *
 * Browsers send the same headers, cookies and field names on every request:
 * such a value that matched nothing in any location is remembered (a bounded
 * set per process) and not run through the alternation again. The verdict is
 * a pure function of the text, so this changes the cost, never the outcome.
 */

/** One value to inspect and where it came from. */
export interface RequestPart {
  location: Location
  /** Parameter, header, cookie or JSON key; null for the path. */
  field: string | null
  value: string
  /** The value is itself a parameter name or JSON key. */
  inName?: boolean
}

export interface ScanOptions {
  /** Characters inspected per value; the rest is reported as uninspected. */
  maxValueChars: number
  /** Characters inspected per request (each value also costs a fixed overhead). */
  maxRequestChars: number
  /** Field names that hold rich text or code: findings there are recorded, not blocked. */
  richTextFields: ReadonlySet<string>
}

/** What a value costs beyond its length: the per-value setup of a scan. */
const VALUE_OVERHEAD = 64
const SAMPLE_BEFORE = 40
const SAMPLE_LENGTH = 160
/** NFKC can expand a character up to 18 times; the deep view is cut at this multiple. */
const DEEP_VIEW_GROWTH = 2
/** Clean values remembered per process, and the longest one remembered. */
const REMEMBERED_VALUES = 4096
const REMEMBERED_CHARS = 512

export const UNINSPECTED_VALUE = 'uninspected-value'
export const UNINSPECTED_REQUEST = 'uninspected-request'

interface CompiledRule {
  rule: Rule
  regex: RegExp
}

const NONE: ReadonlyMap<Rule, number> = new Map()

/** Every rule of `rules` that matches the lowercased view, with where; null when no rule of any location matches it. */
function matchRules(any: RegExp, rules: readonly CompiledRule[], lower: string, skip: ReadonlyMap<Rule, number>) {
  if (!any.test(lower)) return null
  const found = new Map<Rule, number>()
  for (const { rule, regex } of rules) {
    if (skip.has(rule)) continue
    const match = regex.exec(lower)
    if (match) found.set(rule, match.index)
  }
  return found
}

/** Values worth remembering when clean: what a client repeats on every request. */
function repeats(part: RequestPart, text: string) {
  return (part.inName || part.location === 'header' || part.location === 'cookie') && text.length <= REMEMBERED_CHARS
}

function excerpt(text: string, at: number): string {
  const start = Math.max(0, at - SAMPLE_BEFORE)
  return text.slice(start, start + SAMPLE_LENGTH)
}

/** The last key of a field such as `project[description]` or `settings.description`. */
export function leafName(field: string): string {
  const bracket = /\[([^[\]]*)\]$/.exec(field)
  const last = bracket ? bracket[1]! : field.slice(field.lastIndexOf('.') + 1)
  return last.toLowerCase()
}

export interface Scanner {
  scan(parts: Iterable<RequestPart>, options: ScanOptions): Finding[]
}

export function createScanner(rules: readonly Rule[] = RULES): Scanner {
  const compiled = rules.map((rule) => ({ rule, regex: new RegExp(rule.pattern.source) }))
  /** One alternation of every rule: most values match none of it and cost one pass. */
  const any = new RegExp(rules.map((rule) => `(?:${rule.pattern.source})`).join('|'))
  const byLocation = new Map<Location, CompiledRule[]>()
  const rulesAt = (location: Location) => {
    let list = byLocation.get(location)
    if (!list) {
      list = compiled.filter(({ rule }) => !rule.locations || rule.locations.includes(location))
      byLocation.set(location, list)
    }
    return list
  }

  const clean = new Set<string>()

  /** Adds the findings of either view of `text`; false when no rule of any location matched (the text is clean). */
  function scanPart(part: RequestPart, text: string, options: ScanOptions, findings: Finding[]): boolean {
    const rules = rulesAt(part.location)
    const found = matchRules(any, rules, text.toLowerCase(), NONE)
    let deep = deepView(text)
    if (deep.length > text.length * DEEP_VIEW_GROWTH) deep = deep.slice(0, text.length * DEEP_VIEW_GROWTH)
    const foundDeep = deep === text ? null : matchRules(any, rules, deep.toLowerCase(), found ?? NONE)
    if (!found && !foundDeep) return false
    // Whether the field is rich text matters only once something matched.
    const blockable = !(part.field && !part.inName && options.richTextFields.has(leafName(part.field)))
    for (const [view, matched] of [
      [text, found],
      [deep, foundDeep],
    ] as const) {
      for (const [rule, at] of matched ?? NONE) {
        findings.push(finding(part, rule.id, rule.type, rule.severity, excerpt(view, at), blockable))
      }
    }
    return true
  }

  return {
    scan(parts, options) {
      const findings: Finding[] = []
      let budget = options.maxRequestChars
      for (const part of parts) {
        const text = part.value.length > options.maxValueChars ? part.value.slice(0, options.maxValueChars) : part.value
        if (text.length + VALUE_OVERHEAD > budget) {
          findings.push(finding(part, UNINSPECTED_REQUEST, 'SUSPICIOUS_ACTIVITY', 'MEDIUM', excerpt(part.value, 0), false))
          break
        }
        budget -= text.length + VALUE_OVERHEAD
        if (text.length < part.value.length) {
          findings.push(finding(part, UNINSPECTED_VALUE, 'SUSPICIOUS_ACTIVITY', 'MEDIUM', excerpt(part.value, text.length), false))
        }
        if (!text || clean.has(text)) continue
        if (!scanPart(part, text, options, findings) && repeats(part, text)) {
          if (clean.size >= REMEMBERED_VALUES) clean.clear()
          clean.add(text)
        }
      }
      return findings
    },
  }
}

function finding(part: RequestPart, ruleId: string, type: ThreatType, severity: Severity, sample: string, blockable: boolean): Finding {
  return { ruleId, type, severity, location: part.location, field: part.field, inName: part.inName ?? false, sample, blockable }
}
