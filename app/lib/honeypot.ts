/**
 * A field people never see or fill in (it is off-screen and out of the tab
 * order); form-filling bots do. A filled one marks the submission as a bot's.
 */
export const HONEYPOT_FIELD = 'website'

export function honeypotFilled(formData: FormData): boolean {
  const value = formData.get(HONEYPOT_FIELD)
  return typeof value === 'string' && value.length > 0
}
