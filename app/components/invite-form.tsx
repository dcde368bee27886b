import { getFormProps, type SubmissionResult } from '@conform-to/react'
import { Form, useNavigation } from '@remix-run/react'
import { useOrganization } from '~/access/tenant'
import { InvitationSchema } from '~/lib/validation'
import { ErrorList, Select, SubmitButton, TextField, useValidatedForm } from './forms'

export function InviteForm({ roles, lastResult }: { roles: { key: string; name: string }[]; lastResult?: SubmissionResult<string[]> | null }) {
  const navigation = useNavigation()
  const { organization } = useOrganization()
  const [form, fields] = useValidatedForm({ id: 'invite', schema: InvitationSchema, lastResult, defaultValue: { role: 'member' } })
  return (
    <Form
      method="post"
      action={`/orgs/${organization.slug}/members/invite`}
      {...getFormProps(form)}
      className="flex flex-col gap-2 sm:flex-row sm:items-start sm:gap-3"
    >
      <div className="flex-1">
        <TextField label="Email" field={fields.email} type="email" autoComplete="off" />
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor={fields.role.id} className="text-sm font-medium text-slate-800">
          Role
        </label>
        <Select id={fields.role.id} name={fields.role.name} defaultValue={fields.role.initialValue ?? 'member'} key={fields.role.key}>
          {roles.map((r) => (
            <option key={r.key} value={r.key}>
              {r.name}
            </option>
          ))}
        </Select>
        <ErrorList id={fields.role.errorId} errors={fields.role.errors} />
      </div>
      <div className="sm:pt-6">
        <SubmitButton pending={navigation.state === 'submitting' && navigation.formAction?.endsWith('/invite')}>Send invitation</SubmitButton>
      </div>
      <ErrorList id={form.errorId} errors={form.errors} />
    </Form>
  )
}
