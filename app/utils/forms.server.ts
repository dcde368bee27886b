import type { SubmissionResult } from '@conform-to/react'
import { json } from '@remix-run/node'

/** A form that failed validation: 422 with per-field errors and what the user typed. */
export function invalid(result: SubmissionResult<string[]>) {
  return json(result, { status: 422 })
}
