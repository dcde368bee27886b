import { UniqueIntegrityConstraintViolationError } from 'slonik'
import { DomainError } from '~/lib/errors'

/** Citus reports the shard's copy of a constraint: its name with `_<shard id>` appended. */
const SHARD_SUFFIX = /_\d+$/

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  return (
    error instanceof UniqueIntegrityConstraintViolationError &&
    (!constraint || error.constraint === constraint || error.constraint?.replace(SHARD_SUFFIX, '') === constraint)
  )
}

/** Runs a write whose only expected failure is a taken slug, turning it into a field error. */
export async function withSlugCheck<T>(constraint: string, message: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (error) {
    if (isUniqueViolation(error, constraint)) throw new DomainError(message, 'slug')
    throw error
  }
}
