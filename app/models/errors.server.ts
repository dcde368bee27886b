import { UniqueIntegrityConstraintViolationError } from 'slonik'

/** A domain rule refused the change; `field` names the form field to blame, if any. */
export class DomainError extends Error {
  constructor(
    message: string,
    readonly field?: string,
    readonly code = 'CONFLICT',
  ) {
    super(message)
  }
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  return error instanceof UniqueIntegrityConstraintViolationError && (!constraint || error.constraint === constraint)
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
