import { Form, Link, useLocation } from '@remix-run/react'
import type { ReactNode } from 'react'
import { buttonStyles } from './ui'

/**
 * The filter form of a list page: a plain GET form, so it works without
 * JavaScript, keeps its values in the URL and starts again at page one.
 */
export function FilterForm({ children }: { children: ReactNode }) {
  // Fields show their URL's values as defaults: a new query (Clear, a link)
  // remounts them, or client-side navigation would keep the old text.
  const { search } = useLocation()
  return (
    <Form key={search} method="get" className="mb-6 grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-3 lg:grid-cols-6">
      {children}
      <div className="flex items-center gap-2 sm:col-span-3 lg:col-span-6">
        <button type="submit" className={buttonStyles.primary}>
          Filter
        </button>
        <Link to="." className={buttonStyles.secondary}>
          Clear
        </Link>
      </div>
    </Form>
  )
}

const CONTROL = 'mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm aria-[invalid]:border-red-500'

interface FieldProps {
  name: string
  label: string
  /** What the URL holds, shown again as typed. */
  value: string
  errors?: string[]
}

/** Label, control and the space for its error (reserved, so the layout does not jump). */
function Field({ name, label, errors, children }: Omit<FieldProps, 'value'> & { children: ReactNode }) {
  return (
    <div>
      <label htmlFor={`filter-${name}`} className="text-xs font-medium text-slate-700">
        {label}
      </label>
      {children}
      <p id={`filter-${name}-error`} className="mt-1 min-h-4 text-xs text-red-700">
        {errors?.[0] ?? ''}
      </p>
    </div>
  )
}

const controlProps = ({ name, value, errors }: FieldProps) => ({
  id: `filter-${name}`,
  name,
  defaultValue: value,
  'aria-invalid': errors ? true : undefined,
  'aria-describedby': `filter-${name}-error`,
  className: CONTROL,
})

export function FilterInput(props: FieldProps & { type?: 'text' | 'date' | 'email'; placeholder?: string }) {
  return (
    <Field {...props}>
      <input {...controlProps(props)} type={props.type ?? 'text'} placeholder={props.placeholder} />
    </Field>
  )
}

/** A choice among `options`, or `all` (the empty value: no filter). */
export function FilterSelect(props: FieldProps & { all: string; options: readonly { value: string; label: string }[] }) {
  return (
    <Field {...props}>
      <select {...controlProps(props)}>
        <option value="">{props.all}</option>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  )
}
