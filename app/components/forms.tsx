import { getInputProps, getTextareaProps, useForm, type DefaultValue, type FieldMetadata, type SubmissionResult } from '@conform-to/react'
import { getZodConstraint, parseWithZod } from '@conform-to/zod'
import type { ComponentProps, ReactNode } from 'react'
import type { z } from 'zod'

/** Error text under a field; its space is kept so the layout never jumps under the cursor. */
export function ErrorList({ id, errors }: { id?: string; errors?: readonly string[] | null }) {
  return (
    <ul id={id} className="min-h-[1.25rem] text-sm text-red-700" aria-live="polite">
      {errors?.map((e) => (
        <li key={e}>{e}</li>
      ))}
    </ul>
  )
}

export function TextField({
  label,
  field,
  type = 'text',
  hint,
  ...rest
}: {
  label: string
  field: FieldMetadata<string | undefined>
  type?: 'text' | 'email' | 'password' | 'color'
  hint?: ReactNode
  autoComplete?: string
  autoFocus?: boolean
  placeholder?: string
}) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={field.id} className="text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        {...getInputProps(field, { type, ariaAttributes: true })}
        {...rest}
        key={field.key}
        className="rounded-md border border-slate-300 px-3 py-2 text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500 aria-[invalid]:border-red-500"
      />
      {hint ? <p className="text-xs text-slate-500">{hint}</p> : null}
      <ErrorList id={field.errorId} errors={field.errors} />
    </div>
  )
}

const CONTROL =
  'rounded-md border border-slate-300 bg-white text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500'

/** A native select with the house look (`compact` for toolbars); every other prop passes through. */
export function Select({ compact = false, className = '', ...props }: ComponentProps<'select'> & { compact?: boolean }) {
  return <select {...props} className={`${CONTROL} ${compact ? 'px-2 py-1' : 'px-3 py-2'} ${className}`} />
}

/** A native checkbox with the house look; every prop passes through. */
export function Checkbox({ className = '', ...props }: Omit<ComponentProps<'input'>, 'type'>) {
  return <input {...props} type="checkbox" className={`h-4 w-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500 ${className}`} />
}

export function SubmitButton({ children, pending, className = '' }: { children: ReactNode; pending?: boolean; className?: string }) {
  return (
    <button
      type="submit"
      disabled={pending}
      className={`inline-flex items-center justify-center rounded-md bg-indigo-600 px-4 py-2 font-medium text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2 disabled:opacity-60 ${className}`}
    >
      {pending ? 'Working…' : children}
    </button>
  )
}

/**
 * conform's useForm with the house defaults: the zod schema validates on the
 * client (after blur, then as the user types) and again on the server.
 */
export function useValidatedForm<Schema extends z.ZodTypeAny>(options: {
  id: string
  schema: Schema
  lastResult?: SubmissionResult<string[]> | null
  defaultValue?: DefaultValue<z.input<Schema>>
}) {
  const { schema, ...rest } = options
  return useForm<z.input<Schema>>({
    ...rest,
    constraint: getZodConstraint(schema),
    shouldValidate: 'onBlur',
    shouldRevalidate: 'onInput',
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
  })
}

export function TextArea({ label, field, hint }: { label: string; field: FieldMetadata<string | undefined>; hint?: ReactNode }) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={field.id} className="text-sm font-medium text-slate-800">
        {label}
      </label>
      <textarea
        {...getTextareaProps(field, { ariaAttributes: true })}
        key={field.key}
        rows={4}
        className="rounded-md border border-slate-300 px-3 py-2 text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500 aria-[invalid]:border-red-500"
      />
      {hint ? <p className="text-xs text-slate-500">{hint}</p> : null}
      <ErrorList id={field.errorId} errors={field.errors} />
    </div>
  )
}
