import { randomBytes } from 'node:crypto'

/**
 * A database name of its own for each throwaway database or cluster: the
 * rate-limit counters are namespaced by it, and runs sharing one Redis must
 * not share counts.
 */
export const uniqueDatabaseName = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`
