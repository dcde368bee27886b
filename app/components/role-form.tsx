import { getFormProps, type SubmissionResult } from '@conform-to/react'
import { Form, useNavigation } from '@remix-run/react'
import { RoleSchema } from '~/lib/validation'
import { ErrorList, SubmitButton, TextField, useValidatedForm } from './forms'
import { PermissionChecklist } from './permission-checklist'

export function RoleForm({
  lastResult,
  role,
  grantable,
  submitLabel,
}: {
  lastResult?: SubmissionResult<string[]> | null
  role?: { name: string; description: string; permissions: readonly string[] }
  grantable: (permission: string) => boolean
  submitLabel: string
}) {
  const navigation = useNavigation()
  const [form, fields] = useValidatedForm({
    id: 'role',
    schema: RoleSchema,
    lastResult,
    defaultValue: role ? { name: role.name, description: role.description } : undefined,
  })
  // After a failed submit, show the boxes as the user left them.
  const submitted = lastResult?.initialValue?.permissions
  const selected = submitted === undefined ? (role?.permissions ?? []) : ([] as string[]).concat(submitted as string | string[])
  return (
    <Form method="post" {...getFormProps(form)} className="flex flex-col gap-4">
      <div className="flex max-w-lg flex-col gap-2">
        <TextField label="Name" field={fields.name} />
        <TextField label="Description" field={fields.description} />
      </div>
      <PermissionChecklist selected={selected} grantable={grantable} errors={fields.permissions.errors} />
      <ErrorList id={form.errorId} errors={form.errors} />
      <div>
        <SubmitButton pending={navigation.state === 'submitting'}>{submitLabel}</SubmitButton>
      </div>
    </Form>
  )
}
