import { getFormProps, type SubmissionResult } from '@conform-to/react'
import { Form, useNavigation } from '@remix-run/react'
import { ProjectSchema } from '~/lib/validation'
import { ErrorList, SubmitButton, TextArea, TextField, useValidatedForm } from './forms'

export function ProjectForm({
  lastResult,
  defaultValue,
  submitLabel,
}: {
  lastResult?: SubmissionResult<string[]> | null
  defaultValue?: { name?: string; slug?: string; description?: string }
  submitLabel: string
}) {
  const navigation = useNavigation()
  const [form, fields] = useValidatedForm({ id: 'project', schema: ProjectSchema, lastResult, defaultValue })
  return (
    <Form method="post" {...getFormProps(form)} className="flex max-w-lg flex-col gap-2">
      <TextField label="Name" field={fields.name} autoFocus />
      <TextField label="Slug" field={fields.slug} hint="Used in links. Leave empty to derive it from the name." />
      <TextArea label="Description" field={fields.description} />
      <ErrorList id={form.errorId} errors={form.errors} />
      <SubmitButton pending={navigation.state === 'submitting'}>{submitLabel}</SubmitButton>
    </Form>
  )
}
