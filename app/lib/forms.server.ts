import type { SubmissionResult } from '@conform-to/react'
import { data } from '@remix-run/node'
import { DomainError, refusal, refusalOf, statusOf } from './errors'

type SubmissionReplyOptions = { formErrors?: string[]; fieldErrors?: Record<string, string[]>; hideFields?: string[] }

/**
 * The posted form. A body that does not parse as one (a broken multipart
 * boundary, a truncated upload) is the client's error: 400, not a 500.
 */
export async function readForm(request: Request): Promise<FormData> {
  try {
    return await request.formData()
  } catch {
    throw refusal('BAD_REQUEST', 'The form could not be read. Please submit it again.')
  }
}

/** A form that failed validation: 422 with per-field errors and what the user typed. */
export function invalid(result: SubmissionResult<string[]>) {
  return data(result, { status: 422 })
}

/**
 * Turns a refused domain change into the form's answer, with the status of
 * its code: a field error when the rule names a field, a form error
 * otherwise; a target that is gone is the 404 page.
 */
export function replyToDomainError(
  submission: { reply: (options?: SubmissionReplyOptions) => SubmissionResult<string[]> },
  error: unknown,
  options: Pick<SubmissionReplyOptions, 'hideFields'> & {
    /** The form's name for a field the model names otherwise (the API's `workspaceId` is the form's `target`). */
    fields?: Record<string, string>
  } = {},
) {
  if (!(error instanceof DomainError)) throw error
  if (error.code === 'NOT_FOUND') throw refusalOf(error)
  const { fields = {}, ...rest } = options
  const field = error.field && (fields[error.field] ?? error.field)
  const reply = field ? { fieldErrors: { [field]: [error.message] } } : { formErrors: [error.message] }
  return data(submission.reply({ ...reply, ...rest }), { status: statusOf(error.code) })
}
