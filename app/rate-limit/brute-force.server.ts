/**
 * Brute-force protection for anything that checks a secret — a password for
 * an account, an invitation link — keyed by (subject, IP), or by IP alone
 * when the secret has no subject:
 *
 * - consecutive failures: the first `free` attempts are free; then one
 *   attempt per lock, and each failure doubles the lock (from `lockSeconds`
 *   up to `maxLockSeconds`); a success clears it;
 * - failures per IP per day, and per subject per hour whatever the IP
 *   (OWASP ASVS 2.2.1), so that rotating addresses does not help.
 *
 * Attempts are counted when they start, not when they fail: a burst of
 * parallel guesses cannot all slip in before the first failure is recorded.
 * An attempt that turns out to be no failure gives its points back.
 */
import { createHash } from 'node:crypto'
import { judge, take, type Limiter, type Taken } from './counting.server'
import { toSeconds, type Outcome, type Policy } from './policies'

type MakeLimiter = (name: string, points: number, windowSeconds: number) => Limiter

export interface GuardSpec {
  /** The consecutive-failure policy's name; `<name>-ip` and `<name>-account` name the others. */
  name: string
  /** The counters' namespace in the store. */
  counters: string
  free: number
  lockSeconds: number
  maxLockSeconds: number
  ipPerDay: number
  /** Failures per subject and hour from any address; unset when attempts name no subject. */
  subjectPerHour?: number
}

export type BlockReason = 'consecutive' | 'ip' | 'account'

export interface Attempt {
  keys: { streak: string; ip: string; subject: string | null }
  streak: number
  ip: Taken
  subject: Taken | null
  /** Admitted through an expired lock: the lock is held while the attempt runs. */
  gated: boolean
}

/** A block that a failure has just started: what to tell the client and what to record. */
export interface Block {
  outcome: Outcome
  reasons: BlockReason[]
  failures: number
}

/** Subjects (such as emails) never reach the store in clear text. */
const subjectKey = (subject: string) => createHash('sha256').update(subject).digest('base64url')

/** While an admitted attempt after a lock is being checked, the lock stays shut for at most this long. */
const ATTEMPT_SECONDS = 60
const DAY = 86_400

export type BruteForceGuard = ReturnType<typeof createBruteForceGuard>

export function createBruteForceGuard(limiter: MakeLimiter, spec: GuardSpec) {
  const { free } = spec
  const policies = {
    consecutive: { name: spec.name, quota: free, windowSeconds: DAY } satisfies Policy,
    ip: { name: `${spec.name}-ip`, quota: spec.ipPerDay, windowSeconds: DAY } satisfies Policy,
    account: { name: `${spec.name}-account`, quota: spec.subjectPerHour ?? 0, windowSeconds: 3600 } satisfies Policy,
  }
  const streak = limiter(`${spec.counters}_streak`, 1_000_000, DAY)
  // One point: shut (blocked) during a lock, or while the one attempt after a lock runs.
  const lock = limiter(`${spec.counters}_lock`, 1, ATTEMPT_SECONDS)
  const perIp = limiter(`${spec.counters}_ip`, policies.ip.quota, DAY)
  const perSubject = spec.subjectPerHour ? limiter(`${spec.counters}_account`, spec.subjectPerHour, 3600) : null

  const lockSeconds = (failures: number) => Math.min(spec.lockSeconds * 2 ** (failures - free), spec.maxLockSeconds)

  /** The attempt was no failure: its points go back (the streak's too, unless a success clears it). */
  async function giveBack(keys: Attempt['keys'], options: { streak: boolean }) {
    await Promise.all([
      options.streak ? streak.reward(keys.streak) : undefined,
      perIp.reward(keys.ip),
      perSubject && keys.subject ? perSubject.reward(keys.subject) : undefined,
    ])
  }

  return {
    /** Counts an attempt; refuses it, with no other work done, when a limit or a lock is in force. */
    async begin(subject: string | null, ip: string): Promise<{ attempt: Attempt } | { refused: Outcome }> {
      const hashed = perSubject && subject !== null ? subjectKey(subject) : null
      const keys = { streak: hashed ? `${hashed}:${ip}` : ip, ip, subject: hashed }
      const [s, i, a] = await Promise.all([take(streak, keys.streak), take(perIp, ip), perSubject && hashed ? take(perSubject, hashed) : null])
      let refused = [judge(policies.ip, i), a && judge(policies.account, a)].find((o) => o?.limited) ?? undefined
      const gated = !refused && s.consumed >= free
      if (gated) {
        const gate = await take(lock, keys.streak, { customDuration: ATTEMPT_SECONDS })
        if (gate.consumed > 1) refused = { policy: policies.consecutive, remaining: 0, resetSeconds: toSeconds(gate.resetMs), limited: true }
      }
      if (refused) {
        await giveBack(keys, { streak: true })
        return { refused }
      }
      return { attempt: { keys, streak: s.consumed, ip: i, subject: a, gated } }
    },

    /** A wrong secret: returns the block it starts, if any (each one is worth recording). */
    async failed(attempt: Attempt): Promise<Block | null> {
      const blocks: { reason: BlockReason; seconds: number; policy: Policy }[] = []
      if (attempt.streak >= free) {
        const seconds = lockSeconds(attempt.streak)
        await lock.block(attempt.keys.streak, seconds)
        blocks.push({ reason: 'consecutive', seconds, policy: policies.consecutive })
      }
      if (attempt.subject?.consumed === policies.account.quota) {
        blocks.push({ reason: 'account', seconds: toSeconds(attempt.subject.resetMs), policy: policies.account })
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

    /** Neither right nor wrong (a real secret that cannot be used here): nothing counts, the streak stands. */
    async neutral(attempt: Attempt): Promise<void> {
      await Promise.all([giveBack(attempt.keys, { streak: true }), attempt.gated ? lock.delete(attempt.keys.streak) : undefined])
    },

    /** The right secret: the consecutive failures start over; the attempt was no failure. */
    async succeeded(attempt: Attempt): Promise<void> {
      await Promise.all([streak.delete(attempt.keys.streak), lock.delete(attempt.keys.streak), giveBack(attempt.keys, { streak: false })])
    },
  }
}
