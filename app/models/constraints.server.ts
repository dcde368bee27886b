import { UniqueIntegrityConstraintViolationError } from 'slonik'
import { DomainError } from '~/lib/errors'

/**
 * The violated constraint's name. Citus relays a worker's error without its
 * constraint field, naming the shard's copy in the message: the name with
 * `_<shard id>` appended.
 */
function violatedConstraint(error: UniqueIntegrityConstraintViolationError): string | undefined {
  if (error.constraint) return error.constraint
  const message = error.cause instanceof Error ? error.cause.message : error.message
  return /unique constraint "([^"]+?)(?:_\d+)?"/.exec(message)?.[1]
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  return error instanceof UniqueIntegrityConstraintViolationError && (!constraint || violatedConstraint(error) === constraint)
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
