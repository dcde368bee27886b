import { Form, Link, useNavigation } from '@remix-run/react'
import { buttonStyles } from './ui'

/** The confirmation step of a delete: a page of its own, so it works without JavaScript. */
export function ConfirmDelete({
  what,
  name,
  consequence,
  cancelTo,
  error,
}: {
  what: string
  name: string
  consequence: string
  cancelTo: string
  error?: string
}) {
  const navigation = useNavigation()
  return (
    <div className="mx-auto max-w-lg rounded-lg border border-red-200 bg-white p-6 shadow-sm">
      <h1 className="text-xl font-semibold">
        Delete {what} “{name}”?
      </h1>
      <p className="mt-2 text-slate-700">{consequence} This cannot be undone.</p>
      {error ? (
        <p role="alert" className="mt-3 rounded-md bg-red-50 p-3 text-sm text-red-800">
          {error}
        </p>
      ) : null}
      <Form method="post" className="mt-6 flex gap-3">
        <button type="submit" className={buttonStyles.danger} disabled={navigation.state !== 'idle'}>
          {navigation.state === 'submitting' ? 'Deleting…' : `Delete ${what}`}
        </button>
        <Link to={cancelTo} className={buttonStyles.secondary}>
          Cancel
        </Link>
      </Form>
    </div>
  )
}
