import { getFormProps, type FieldMetadata } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useCan, useOrganization } from '~/access/tenant'
import { requirePermission, requireTenant } from '~/access/tenant.server'
import { ErrorList, SubmitButton, TextField, useValidatedForm } from '~/components/forms'
import { buttonStyles, PageHeader } from '~/components/ui'
import { getConfig } from '~/lib/config.server'
import { invalid, readForm, replyToDomainError } from '~/lib/forms.server'
import { auditRetentionSchema, confirmNameSchema, OrganizationSettingsSchema } from '~/lib/validation'
import { deleteOrganization, getAuditRetention, setAuditRetention, updateOrganization } from '~/models/organization.server'

export const meta: MetaFunction = () => [{ title: 'Organization settings · NextSaaS' }]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  await requirePermission(tenant, 'organization:view')
  return { retentionDays: await getAuditRetention(tenant.actor), maximumDays: getConfig().AUDIT_RETENTION_MAX_DAYS }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const tenant = await requireTenant(request, params, context)
  const formData = await readForm(request)

  if (formData.get('intent') === 'delete') {
    await requirePermission(tenant, 'organization:delete')
    const submission = parseWithZod(formData, { schema: confirmNameSchema(tenant.organization.name) })
    if (submission.status !== 'success') return invalid(submission.reply())
    try {
      await deleteOrganization(tenant.actor, tenant.organization.name)
    } catch (error) {
      return replyToDomainError(submission, error)
    }
    return redirect('/orgs')
  }

  if (formData.get('intent') === 'retention') {
    await requirePermission(tenant, '*')
    const submission = parseWithZod(formData, { schema: auditRetentionSchema(getConfig().AUDIT_RETENTION_MAX_DAYS, { blankIsNull: true }) })
    if (submission.status !== 'success') return invalid(submission.reply())
    await setAuditRetention(tenant.actor, submission.value.days)
    return redirect(`/orgs/${encodeURIComponent(tenant.organization.slug)}/settings`)
  }

  await requirePermission(tenant, 'organization:manage')
  const submission = parseWithZod(formData, { schema: OrganizationSettingsSchema })
  if (submission.status !== 'success') return invalid(submission.reply())
  try {
    const { slug } = await updateOrganization(tenant.actor, submission.value)
    return redirect(`/orgs/${encodeURIComponent(slug)}/settings`)
  } catch (error) {
    return replyToDomainError(submission, error)
  }
}

export default function OrganizationSettings() {
  const { organization } = useOrganization()
  const can = useCan()
  const { retentionDays, maximumDays } = useLoaderData<typeof loader>()
  const lastResult = useActionData<typeof action>()
  const navigation = useNavigation()
  const intent = navigation.formData?.get('intent')
  const deleting = intent === 'delete'
  const answered = (lastResult?.initialValue ?? {}) as Record<string, unknown>
  const [form, fields] = useValidatedForm({
    id: 'organization-settings',
    schema: OrganizationSettingsSchema,
    lastResult: lastResult && !('confirm' in answered) && answered.intent !== 'retention' ? lastResult : null,
    defaultValue: { name: organization.name, slug: organization.slug },
  })
  const [deleteForm, deleteFields] = useValidatedForm({
    id: 'delete-organization',
    schema: confirmNameSchema(organization.name),
    lastResult: lastResult && 'confirm' in (lastResult.initialValue ?? {}) ? lastResult : null,
  })
  const [retentionForm, retentionFields] = useValidatedForm({
    id: 'audit-retention',
    schema: auditRetentionSchema(maximumDays, { blankIsNull: true }),
    lastResult: answered.intent === 'retention' ? lastResult : null,
    defaultValue: { days: retentionDays?.toString() ?? '' },
  })
  const readOnly = !can('organization:manage')
  return (
    <div className="flex flex-col gap-10">
      <section>
        <PageHeader title="Organization settings" />
        <Form method="post" {...getFormProps(form)} className="flex max-w-lg flex-col gap-2">
          <fieldset disabled={readOnly} className="flex flex-col gap-2">
            <TextField label="Name" field={fields.name} />
            <TextField label="Slug" field={fields.slug} hint="Changing it changes every link to this organization; old links stop working." />
            <ErrorList id={form.errorId} errors={form.errors} />
            <SubmitButton pending={navigation.state === 'submitting' && !intent}>Save changes</SubmitButton>
          </fieldset>
          {readOnly ? <p className="text-sm text-slate-600">Only members who can manage the organization can change these.</p> : null}
        </Form>
      </section>

      <section className="max-w-lg">
        <h2 className="text-lg font-semibold">Audit log retention</h2>
        <p className="mt-1 text-sm text-slate-700">Entries older than this are deleted; a signed checkpoint keeps the rest of the log verifiable.</p>
        <Form method="post" {...getFormProps(retentionForm)} className="mt-4 flex flex-col gap-2">
          <fieldset disabled={!can('*')} className="flex flex-col gap-2">
            <input type="hidden" name="intent" value="retention" />
            <TextField
              label="Days to keep entries"
              field={retentionFields.days as FieldMetadata<string | undefined>}
              hint={`At most ${maximumDays}. Leave empty to keep entries as long as that.`}
            />
            <ErrorList id={retentionForm.errorId} errors={retentionForm.errors} />
            <SubmitButton pending={navigation.state === 'submitting' && intent === 'retention'}>Save retention</SubmitButton>
          </fieldset>
          {can('*') ? null : <p className="text-sm text-slate-600">Only owners can change how long the audit log is kept.</p>}
        </Form>
      </section>

      {can('organization:delete') ? (
        <section className="max-w-lg rounded-lg border border-red-200 bg-white p-4">
          <h2 className="text-lg font-semibold text-red-800">Delete organization</h2>
          <p className="mt-1 text-sm text-slate-700">
            Deletes every workspace, project and membership of {organization.name}. This cannot be undone.
          </p>
          <Form method="post" {...getFormProps(deleteForm)} className="mt-4 flex flex-col gap-2">
            <input type="hidden" name="intent" value="delete" />
            <TextField label={`Type “${organization.name}” to confirm`} field={deleteFields.confirm} autoComplete="off" />
            <button type="submit" className={buttonStyles.danger} disabled={deleting}>
              {deleting ? 'Deleting…' : 'Delete this organization'}
            </button>
          </Form>
        </section>
      ) : null}
    </div>
  )
}
