/**
 * A temporary block of client addresses that keep sending attacks. Every
 * request the security monitor refuses is a strike against its IP; the
 * SECURITY_BLOCK_THRESHOLD-th strike within SECURITY_BLOCK_WINDOW_SECONDS
 * blocks the address for SECURITY_BLOCK_SECONDS, after which it starts from
 * zero. Strikes and blocks live in the rate-limit store, so a block started
 * by one process holds in every process that shares the store.
 */
import type { Config } from '~/lib/config.server'
import { take, type Limiter } from './counting.server'
import { toSeconds } from './policies'

type MakeLimiter = (name: string, points: number, windowSeconds: number) => Limiter

/** A block that a strike has just started: what to record. */
export interface SecurityBlockStart {
  strikes: number
  windowSeconds: number
  blockSeconds: number
}

export function createSecurityBlock(config: Config, limiter: MakeLimiter) {
  const threshold = config.SECURITY_BLOCK_THRESHOLD
  const windowSeconds = config.SECURITY_BLOCK_WINDOW_SECONDS
  const blockSeconds = config.SECURITY_BLOCK_SECONDS
  const strikes = limiter('security_strikes', Math.max(threshold, 1), windowSeconds)
  // One point: a key is blocked when block() has set it past that point.
  const blocks = limiter('security_block', 1, blockSeconds)

  return {
    /**
     * One refused request from `ip`. Returns the block it starts, exactly once
     * per block across processes: the store counts atomically, so only one
     * strike reaches the threshold.
     */
    async strike(ip: string): Promise<SecurityBlockStart | null> {
      if (threshold === 0) return null
      const taken = await take(strikes, ip)
      if (taken.consumed !== threshold) return null
      await blocks.block(ip, blockSeconds)
      // After the block, the address starts from zero rather than from a spent window.
      await strikes.delete(ip)
      return { strikes: threshold, windowSeconds, blockSeconds }
    },

    /** Seconds left of the address's block, or null when it is not blocked. */
    async blockedFor(ip: string): Promise<number | null> {
      if (threshold === 0) return null
      const res = await blocks.get(ip)
      return res && res.consumedPoints > 1 ? Math.max(1, toSeconds(res.msBeforeNext)) : null
    },
  }
}

export type SecurityBlock = ReturnType<typeof createSecurityBlock>
