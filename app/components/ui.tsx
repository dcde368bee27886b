import { Form, Link, useSearchParams } from '@remix-run/react'
import type { ReactNode } from 'react'
import { Select } from './forms'

const BUTTON =
  'inline-flex items-center justify-center rounded-md px-3 py-2 text-sm font-medium focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2'
export const buttonStyles = {
  primary: `${BUTTON} bg-indigo-600 text-white shadow-sm hover:bg-indigo-500`,
  secondary: `${BUTTON} border border-slate-300 bg-white text-slate-800 hover:bg-slate-50`,
  danger: `${BUTTON} bg-red-600 text-white shadow-sm hover:bg-red-500`,
}

export function PageHeader({ title, subtitle, actions }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-6 flex flex-wrap items-start justify-between gap-4">
      <div>
        <h1 className="text-2xl font-semibold">{title}</h1>
        {subtitle ? <p className="mt-1 text-slate-600">{subtitle}</p> : null}
      </div>
      {actions ? <div className="flex flex-wrap gap-2">{actions}</div> : null}
    </div>
  )
}

/** A list page's table in its bordered, scrolling box: the headings (a falsy one is left out), then the rows. */
export function DataTable({ headings, children }: { headings: readonly (ReactNode | false)[]; children: ReactNode }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-left text-sm">
        <thead className="bg-slate-50 text-slate-600">
          <tr>
            {headings.map((heading, i) =>
              heading ? (
                <th key={i} className="px-3 py-2">
                  {heading}
                </th>
              ) : null,
            )}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200">{children}</tbody>
      </table>
    </div>
  )
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <div className="rounded-lg border border-dashed border-slate-300 p-8 text-center text-slate-600">{children}</div>
}

/** Sort choice as a plain GET form, so it works without JavaScript. */
export function SortControl({ sort }: { sort: string }) {
  return (
    <Form method="get" className="flex items-center gap-2 text-sm" preventScrollReset>
      <label htmlFor="sort" className="text-slate-600">
        Sort by
      </label>
      <Select id="sort" name="sort" defaultValue={sort} compact>
        <option value="name">Name</option>
        <option value="recent">Most recent</option>
      </Select>
      <button type="submit" className={buttonStyles.secondary}>
        Apply
      </button>
    </Form>
  )
}

export function Pagination({ page, pageCount }: { page: number; pageCount: number }) {
  const [params] = useSearchParams()
  if (pageCount <= 1) return null
  const to = (n: number) => {
    const next = new URLSearchParams(params)
    next.set('page', String(n))
    return `?${next}`
  }
  return (
    <nav aria-label="Pagination" className="mt-6 flex items-center justify-between text-sm">
      {page > 1 ? (
        <Link to={to(page - 1)} className={buttonStyles.secondary} rel="prev">
          Previous
        </Link>
      ) : (
        <span />
      )}
      <span className="text-slate-600">{`Page ${page} of ${pageCount}`}</span>
      {page < pageCount ? (
        <Link to={to(page + 1)} className={buttonStyles.secondary} rel="next">
          Next
        </Link>
      ) : (
        <span />
      )}
    </nav>
  )
}

export function Breadcrumbs({ items }: { items: { to?: string; label: string }[] }) {
  return (
    <nav aria-label="Breadcrumb" className="mb-4 text-sm text-slate-600">
      <ol className="flex flex-wrap items-center gap-1">
        {items.map((item, i) => (
          <li key={i} className="flex items-center gap-1">
            {i > 0 ? <span aria-hidden="true">/</span> : null}
            {item.to ? (
              <Link to={item.to} className="hover:underline">
                {item.label}
              </Link>
            ) : (
              <span aria-current="page">{item.label}</span>
            )}
          </li>
        ))}
      </ol>
    </nav>
  )
}
