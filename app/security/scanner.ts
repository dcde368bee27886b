import { deepView } from './decode'
import { RULES, type Rule } from './rules'
import type { Finding, Location, Severity, ThreatType } from './types'

/**
 * Runs the rules over the values of one request, within a budget.
 *
 * Each view of a value is lowercased once and tested against one alternation
 * of all the rules (written lowercase, compiled without the `i` flag, which is
 * slower). Only a value that matches something is then run through the rules
 * of its location one by one, so that every matching rule is reported.
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

export const UNINSPECTED_VALUE = 'uninspected-value'
export const UNINSPECTED_REQUEST = 'uninspected-request'

interface CompiledRule {
  rule: Rule
  regex: RegExp
}

/** Every rule of `rules` that matches `view`, with where it matched. */
function matchRules(any: RegExp, rules: readonly CompiledRule[], view: string, skip: ReadonlySet<Rule>) {
  const found = new Map<Rule, number>()
  const lower = view.toLowerCase()
  if (!any.test(lower)) return found
  for (const { rule, regex } of rules) {
    if (skip.has(rule)) continue
    const match = regex.exec(lower)
    if (match) found.set(rule, match.index)
  }
  return found
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

  function scanPart(part: RequestPart, text: string, blockable: boolean, findings: Finding[]) {
    const add = (rule: Rule, sample: string) =>
      findings.push(finding(part, rule.id, rule.type, rule.severity, sample, blockable))
    const found = matchRules(any, rulesAt(part.location), text, new Set())
    for (const [rule, at] of found) add(rule, excerpt(text, at))
    let deep = deepView(text)
    if (deep === text) return
    if (deep.length > text.length * DEEP_VIEW_GROWTH) deep = deep.slice(0, text.length * DEEP_VIEW_GROWTH)
    for (const [rule, at] of matchRules(any, rulesAt(part.location), deep, new Set(found.keys()))) add(rule, excerpt(deep, at))
  }

  return {
    scan(parts, options) {
      const findings: Finding[] = []
      let budget = options.maxRequestChars
      for (const part of parts) {
        const blockable = !(part.field && !part.inName && options.richTextFields.has(leafName(part.field)))
        const text = part.value.length > options.maxValueChars ? part.value.slice(0, options.maxValueChars) : part.value
        if (text.length + VALUE_OVERHEAD > budget) {
          findings.push(finding(part, UNINSPECTED_REQUEST, 'SUSPICIOUS_ACTIVITY', 'MEDIUM', excerpt(part.value, 0), false))
          break
        }
        budget -= text.length + VALUE_OVERHEAD
        if (text.length < part.value.length) {
          findings.push(finding(part, UNINSPECTED_VALUE, 'SUSPICIOUS_ACTIVITY', 'MEDIUM', excerpt(part.value, text.length), false))
        }
        if (text) scanPart(part, text, blockable, findings)
      }
      return findings
    },
  }
}

function finding(
  part: RequestPart,
  ruleId: string,
  type: ThreatType,
  severity: Severity,
  sample: string,
  blockable: boolean,
): Finding {
  return { ruleId, type, severity, location: part.location, field: part.field, inName: part.inName ?? false, sample, blockable }
}
