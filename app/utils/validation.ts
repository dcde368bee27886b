import { z } from 'zod'

/** Schemas shared by forms, the API and the server (the same rules everywhere). */
export const EmailSchema = z
  .string({ required_error: 'Email is required' })
  .trim()
  .max(254, 'Email is too long')
  .email('Enter a valid email address')

export const PasswordSchema = z
  .string({ required_error: 'Password is required' })
  .min(12, 'Use at least 12 characters')
  .max(128, 'Use at most 128 characters')

export const NameSchema = z
  .string({ required_error: 'Name is required' })
  .trim()
  .min(1, 'Name is required')
  .max(100, 'Use at most 100 characters')

export const SignupSchema = z.object({ name: NameSchema, email: EmailSchema, password: PasswordSchema })
export const LoginSchema = z.object({
  email: EmailSchema,
  password: z.string({ required_error: 'Password is required' }).max(1024),
  redirectTo: z.string().optional(),
})
export const OrganizationSchema = z.object({ name: NameSchema })

/** Only same-site paths: an open redirect would hand sign-ins to another site. */
export function safeRedirect(to: string | null | undefined, fallback = '/orgs') {
  if (!to || !to.startsWith('/') || to.startsWith('//') || to.startsWith('/\\')) return fallback
  return to
}
