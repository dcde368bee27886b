import { getFormProps, type SubmissionResult } from '@conform-to/react'
import { Form, useNavigation } from '@remix-run/react'
import { WorkspaceSchema } from '~/lib/validation'
import { ErrorList, SubmitButton, TextArea, TextField, useValidatedForm } from './forms'

export function WorkspaceForm({
  lastResult,
  defaultValue,
  submitLabel,
}: {
  lastResult?: SubmissionResult<string[]> | null
  defaultValue?: { name?: string; slug?: string; description?: string; icon?: string; color?: string }
  submitLabel: string
}) {
  const navigation = useNavigation()
  const [form, fields] = useValidatedForm({ id: 'workspace', schema: WorkspaceSchema, lastResult, defaultValue })
  return (
    <Form method="post" {...getFormProps(form)} className="flex max-w-lg flex-col gap-2">
      <TextField label="Name" field={fields.name} autoFocus />
      <TextField label="Slug" field={fields.slug} hint="Used in links. Leave empty to derive it from the name." />
      <TextArea label="Description" field={fields.description} />
      <div className="grid grid-cols-2 gap-4">
        <TextField label="Icon" field={fields.icon} placeholder="🏢" />
        <TextField label="Colour" field={fields.color} placeholder="#3B82F6" />
      </div>
      <ErrorList id={form.errorId} errors={form.errors} />
      <SubmitButton pending={navigation.state === 'submitting' && navigation.formMethod === 'POST'}>{submitLabel}</SubmitButton>
    </Form>
  )
}
