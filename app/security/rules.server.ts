import { COMMAND } from './rules/command-injection.server'
import { TRAVERSAL } from './rules/path-traversal.server'
import { SQL } from './rules/sql-injection.server'
import { SUSPICIOUS } from './rules/suspicious.server'
import { XSS } from './rules/xss.server'
import type { Rule } from './types'

/**
 * The detection rules, in the spirit of OWASP CRS 930/932/941/942 but written
 * for this app. Every pattern must stay linear-time on any input, because the
 * JavaScript engine backtracks:
 *
 * - each pattern starts with a literal or a small character class;
 * - every repetition is bounded (`{0,8}`, never `*` or `+`), and two adjacent
 *   repetitions never range over the same characters unless a bound keeps the
 *   product small;
 * - no capturing groups (the scanner numbers rules by group) and no
 *   backreferences.
 *
 * `app/security/rules.test.ts` proves this on 100 KB of repeated prefixes of
 * every example, and checks each example against its rule.
 */
export const RULES: readonly Rule[] = [...SQL, ...XSS, ...TRAVERSAL, ...COMMAND, ...SUSPICIOUS]
