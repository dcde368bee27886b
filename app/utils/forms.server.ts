import type { SubmissionResult } from '@conform-to/react'
import { json } from '@remix-run/node'
import { DomainError } from '~/models/errors.server'

type SubmissionReplyOptions = { formErrors?: string[]; fieldErrors?: Record<string, string[]>; hideFields?: string[] }

/**
 * The posted form. A body that does not parse as one (a broken multipart
 * boundary, a truncated upload) is the client's error: 400, not a 500.
 */
export async function readForm(request: Request): Promise<FormData> {
  try {
    return await request.formData()
  } catch {
    throw new Response('The form could not be read. Please submit it again.', { status: 400, statusText: 'Bad Request' })
  }
}

/** A form that failed validation: 422 with per-field errors and what the user typed. */
export function invalid(result: SubmissionResult<string[]>) {
  return json(result, { status: 422 })
}

/**
 * Turns a refused domain change into the form's answer: a field error when the
 * rule names a field, a form error otherwise, 404 when the target is gone.
 */
export function replyToDomainError(submission: { reply: (options?: SubmissionReplyOptions) => SubmissionResult<string[]> }, error: unknown) {
  if (!(error instanceof DomainError)) throw error
  if (error.code === 'NOT_FOUND') throw new Response(error.message, { status: 404 })
  return invalid(
    submission.reply(error.field ? { fieldErrors: { [error.field]: [error.message] } } : { formErrors: [error.message] }),
  )
}
