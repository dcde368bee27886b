import { getFormProps } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useActionData, useNavigation } from '@remix-run/react'
import { userActor } from '~/access/tenant.server'
import { requireUser } from '~/auth/session.server'
import { SubmitButton, TextField, useValidatedForm } from '~/components/forms'
import { invalid, readForm } from '~/lib/forms.server'
import { OrganizationSchema } from '~/lib/validation'
import { createOrganization } from '~/models/organization.server'

export const meta: MetaFunction = () => [{ title: 'New organization · NextSaaS' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context)
  return null
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context)
  const submission = parseWithZod(await readForm(request), { schema: OrganizationSchema })
  if (submission.status !== 'success') return invalid(submission.reply())
  const org = await createOrganization(userActor(user, request, context), submission.value)
  return redirect(`/orgs/${encodeURIComponent(org.slug)}`)
}

export default function NewOrganization() {
  const lastResult = useActionData<typeof action>()
  const navigation = useNavigation()
  const [form, fields] = useValidatedForm({
    id: 'new-organization',
    schema: OrganizationSchema,
    lastResult,
  })
  return (
    <div className="mx-auto max-w-md">
      <h1 className="text-2xl font-semibold">New organization</h1>
      <p className="mt-2 text-slate-600">You will be its owner. A default workspace is created with it.</p>
      <Form method="post" {...getFormProps(form)} className="mt-6 flex flex-col gap-2">
        <TextField label="Organization name" field={fields.name} autoFocus />
        <SubmitButton pending={navigation.state === 'submitting'}>Create organization</SubmitButton>
      </Form>
    </div>
  )
}
