/**
 * Brute-force protection for sign-in (and any other secret-guessing form):
 *
 * - consecutive failures per (email, IP): the first RATE_LIMIT_SIGNIN_FAILURES
 *   attempts are free; then one attempt per lock, and each failure doubles the
 *   lock (from RATE_LIMIT_SIGNIN_LOCK_SECONDS up to …_MAX_LOCK_SECONDS);
 *   a success clears it;
 * - failures per IP per day, and per account per hour whatever the IP
 *   (OWASP ASVS 2.2.1), so that rotating addresses does not help.
 *
 * Attempts are counted when they start, not when they fail: a burst of
 * parallel guesses cannot all slip in before the first failure is recorded.
 * A success or a refused attempt gives its points back.
 */
import { createHash } from 'node:crypto'
import type { Config } from '~/utils/config.server'
import { toSeconds, type Outcome, type Policy } from './policies'
import { judge, take, type Limiter, type Taken } from './counting.server'

type MakeLimiter = (name: string, points: number, windowSeconds: number) => Limiter

export type BlockReason = 'email_ip' | 'ip' | 'account'

export interface SignInAttempt {
  keys: { pair: string; ip: string; account: string }
  streak: number
  ip: Taken
  account: Taken
}

/** A block that a failure has just started: what to tell the client and what to record. */
export interface SignInBlock {
  outcome: Outcome
  reasons: BlockReason[]
  failures: number
}

/** Emails never reach the store in clear text. */
const accountKey = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('base64url')

/** While an admitted attempt after a lock is being checked, the lock stays shut for at most this long. */
const ATTEMPT_SECONDS = 60
const DAY = 86_400

export function createSignInGuard(config: Config, limiter: MakeLimiter) {
  const free = config.RATE_LIMIT_SIGNIN_FAILURES
  const policies = {
    pair: { name: 'sign-in', quota: free, windowSeconds: DAY } satisfies Policy,
    ip: { name: 'sign-in-ip', quota: config.RATE_LIMIT_SIGNIN_IP_PER_DAY, windowSeconds: DAY } satisfies Policy,
    account: { name: 'sign-in-account', quota: config.RATE_LIMIT_SIGNIN_ACCOUNT_PER_HOUR, windowSeconds: 3600 } satisfies Policy,
  }
  const streak = limiter('signin_streak', 1_000_000, DAY)
  // One point: shut (blocked) during a lock, or while the one attempt after a lock runs.
  const lock = limiter('signin_lock', 1, ATTEMPT_SECONDS)
  const perIp = limiter('signin_ip', policies.ip.quota, DAY)
  const perAccount = limiter('signin_account', policies.account.quota, 3600)

  const lockSeconds = (failures: number) =>
    Math.min(config.RATE_LIMIT_SIGNIN_LOCK_SECONDS * 2 ** (failures - free), config.RATE_LIMIT_SIGNIN_MAX_LOCK_SECONDS)

  async function giveBack(keys: SignInAttempt['keys']) {
    await Promise.all([streak.reward(keys.pair), perIp.reward(keys.ip), perAccount.reward(keys.account)])
  }

  return {
    /** Counts an attempt; refuses it, with no other work done, when a limit or a lock is in force. */
    async begin(email: string, ip: string): Promise<{ attempt: SignInAttempt } | { refused: Outcome }> {
      const account = accountKey(email)
      const keys = { pair: `${account}:${ip}`, ip, account }
      const [s, i, a] = await Promise.all([take(streak, keys.pair), take(perIp, ip), take(perAccount, account)])
      let refused = [judge(policies.ip, i), judge(policies.account, a)].find((o) => o.limited)
      if (!refused && s.consumed >= free) {
        const gate = await take(lock, keys.pair, { customDuration: ATTEMPT_SECONDS })
        if (gate.consumed > 1) refused = { policy: policies.pair, remaining: 0, resetSeconds: toSeconds(gate.resetMs), limited: true }
      }
      if (refused) {
        await giveBack(keys)
        return { refused }
      }
      return { attempt: { keys, streak: s.consumed, ip: i, account: a } }
    },

    /** A wrong secret: returns the block it starts, if any (each one is worth recording). */
    async failed(attempt: SignInAttempt): Promise<SignInBlock | null> {
      const blocks: { reason: BlockReason; seconds: number; policy: Policy }[] = []
      if (attempt.streak >= free) {
        const seconds = lockSeconds(attempt.streak)
        await lock.block(attempt.keys.pair, seconds)
        blocks.push({ reason: 'email_ip', seconds, policy: policies.pair })
      }
      if (attempt.account.consumed === policies.account.quota) {
        blocks.push({ reason: 'account', seconds: toSeconds(attempt.account.resetMs), policy: policies.account })
      }
      if (attempt.ip.consumed === policies.ip.quota) {
        blocks.push({ reason: 'ip', seconds: toSeconds(attempt.ip.resetMs), policy: policies.ip })
      }
      if (blocks.length === 0) return null
      const longest = blocks.reduce((a, b) => (b.seconds > a.seconds ? b : a))
      return {
        outcome: { policy: longest.policy, remaining: 0, resetSeconds: longest.seconds, limited: true, firstRefusal: true },
        reasons: blocks.map((b) => b.reason),
        failures: attempt.streak,
      }
    },

    /** The right secret: the (email, IP) streak starts over; the attempt was no failure. */
    async succeeded(attempt: SignInAttempt): Promise<void> {
      await Promise.all([
        streak.delete(attempt.keys.pair),
        lock.delete(attempt.keys.pair),
        perIp.reward(attempt.keys.ip),
        perAccount.reward(attempt.keys.account),
      ])
    },
  }
}
