import { getFormProps, type SubmissionResult } from '@conform-to/react'
import { Form, useNavigation } from '@remix-run/react'
import { ErrorList, Select, SubmitButton, useValidatedForm } from '~/components/forms'
import { buttonStyles, Pagination } from '~/components/ui'
import type { Page } from '~/lib/pagination'
import { AddGrantForm, RemoveGrantForm, replyFor } from './forms'

interface Grant {
  id: string
  roleName: string
  workspaceId: string | null
  resourceName: string
}
interface Target {
  kind: 'workspace' | 'project'
  id: string
  name: string
}

function RemoveGrant({ grant, lastResult }: { grant: Grant; lastResult?: SubmissionResult<string[]> }) {
  const [form] = useValidatedForm({
    id: `remove-grant-${grant.id}`,
    schema: RemoveGrantForm,
    lastResult: replyFor(lastResult, 'remove-grant', grant.id),
  })
  return (
    <Form method="post" {...getFormProps(form)} className="flex flex-col items-end">
      <input type="hidden" name="grantId" value={grant.id} />
      <button type="submit" name="intent" value="remove-grant" className={buttonStyles.secondary}>
        Remove
      </button>
      <ErrorList id={form.errorId} errors={form.errors} />
    </Form>
  )
}

/** The member's grants, and a form to add one: search workspaces and projects (a GET form: no script needed), pick one, choose a role. */
export function Grants({
  grants,
  manage,
  roles,
  narrowest,
  targets,
  find,
  lastResult,
}: {
  grants: readonly Grant[]
  manage: boolean
  roles: readonly { key: string; name: string }[]
  narrowest: string | undefined
  targets: Page<Target> | null
  find: string
  lastResult?: SubmissionResult<string[]>
}) {
  const navigation = useNavigation()
  const [form, fields] = useValidatedForm({ id: 'add-grant', schema: AddGrantForm, lastResult: replyFor(lastResult, 'add-grant') })
  const chosen = fields.target.initialValue
  return (
    <div>
      <h2 className="mb-2 text-lg font-semibold">Scoped grants</h2>
      {grants.length === 0 ? (
        <p className="text-sm text-slate-600">No grants beyond the organization role.</p>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white text-sm">
          {grants.map((g) => (
            <li key={g.id} className="flex items-center justify-between gap-3 px-4 py-2">
              <span>
                {g.roleName} on {g.workspaceId ? 'workspace' : 'project'} “{g.resourceName}”
              </span>
              {manage ? <RemoveGrant grant={g} lastResult={lastResult} /> : null}
            </li>
          ))}
        </ul>
      )}
      {manage && targets ? (
        <div className="mt-4 flex max-w-2xl flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4">
          <h3 className="font-medium">Add a grant</h3>
          <Form method="get" className="flex items-end gap-2" role="search">
            <div className="flex flex-1 flex-col gap-1">
              <label htmlFor="find" className="text-sm font-medium">
                Find a workspace or project
              </label>
              <input
                id="find"
                key={find}
                name="find"
                type="search"
                defaultValue={find}
                maxLength={100}
                className="rounded-md border border-slate-300 px-3 py-2 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500"
              />
            </div>
            <button type="submit" className={buttonStyles.secondary}>
              Search
            </button>
          </Form>
          <Form method="post" {...getFormProps(form)} className="flex flex-col gap-3">
            <input type="hidden" name="intent" value="add-grant" />
            <fieldset aria-describedby={fields.target.errorId}>
              <legend className="text-sm font-medium">
                On {find ? `(matching “${find}”, ${targets.total} found)` : `(${targets.total} in all)`}
              </legend>
              {targets.items.length === 0 ? (
                <p className="mt-1 text-sm text-slate-600">Nothing matches. Try another name.</p>
              ) : (
                <ul className="mt-1 max-h-72 divide-y divide-slate-100 overflow-y-auto rounded-md border border-slate-200 text-sm">
                  {targets.items.map((t) => {
                    const value = `${t.kind}:${t.id}`
                    return (
                      <li key={value}>
                        <label className="flex cursor-pointer items-center gap-2 px-3 py-1.5 hover:bg-slate-50">
                          <input type="radio" name={fields.target.name} value={value} defaultChecked={chosen === value} />
                          <span className="text-xs uppercase text-slate-500">{t.kind}</span> {t.name}
                        </label>
                      </li>
                    )
                  })}
                </ul>
              )}
              <ErrorList id={fields.target.errorId} errors={fields.target.errors} />
            </fieldset>
            <Pagination page={targets.page} pageCount={targets.pageCount} />
            <div className="flex items-end gap-2">
              <div className="flex flex-col gap-1">
                <label htmlFor={fields.role.id} className="text-sm font-medium">
                  Role
                </label>
                <Select id={fields.role.id} name={fields.role.name} defaultValue={fields.role.initialValue ?? narrowest} key={fields.role.key}>
                  {roles.map((r) => (
                    <option key={r.key} value={r.key}>
                      {r.name}
                    </option>
                  ))}
                </Select>
                <ErrorList id={fields.role.errorId} errors={fields.role.errors} />
              </div>
              <SubmitButton pending={navigation.formData?.get('intent') === 'add-grant'} className="mb-6">
                Add grant
              </SubmitButton>
            </div>
            <ErrorList id={form.errorId} errors={form.errors} />
          </Form>
        </div>
      ) : null}
    </div>
  )
}
