import { z } from 'zod'
import { EmailSchema, PasswordSchema } from './validation'

/** The account forms' rules, shared by their pages and actions. */
export const ForgotPasswordSchema = z.object({ email: EmailSchema })

export const ResetPasswordSchema = z.object({ password: PasswordSchema })

export const ChangePasswordSchema = z.object({
  currentPassword: z.string({ required_error: 'Enter your current password' }).max(1024),
  newPassword: PasswordSchema,
})

export const ChangeEmailSchema = z.object({
  email: EmailSchema,
  currentPassword: z.string({ required_error: 'Enter your current password' }).max(1024),
})
