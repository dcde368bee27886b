import { PERMISSIONS, type CatalogPermission } from '~/lib/permissions'
import { Checkbox } from './forms'

const GROUPS: Record<string, string> = {
  organization: 'Organization',
  workspace: 'Workspaces',
  project: 'Projects',
  member: 'Members',
  role: 'Roles',
  audit: 'Audit log',
  security: 'Security',
  settings: 'Settings',
}

const grouped = Object.entries(GROUPS).map(([prefix, label]) => ({
  label,
  permissions: (Object.keys(PERMISSIONS) as CatalogPermission[]).filter((p) => p.startsWith(`${prefix}:`)),
}))

/** The catalog as grouped checkboxes; permissions the editor does not hold are shown but disabled. */
export function PermissionChecklist({
  selected,
  grantable,
  errors,
}: {
  selected: readonly string[]
  grantable: (permission: string) => boolean
  errors?: readonly string[]
}) {
  return (
    <fieldset className="flex flex-col gap-4">
      <legend className="text-sm font-medium text-slate-800">Permissions</legend>
      <div className="grid gap-4 sm:grid-cols-2">
        {grouped.map((group) => (
          <div key={group.label} className="rounded-md border border-slate-200 bg-white p-3">
            <p className="mb-2 text-sm font-semibold">{group.label}</p>
            {group.permissions.map((p) => (
              <label key={p} className="flex items-start gap-2 py-1 text-sm">
                <Checkbox name="permissions" value={p} defaultChecked={selected.includes(p)} disabled={!grantable(p)} className="mt-1" />
                <span>
                  <span className="font-medium">{PERMISSIONS[p].label}</span>
                  <span className="block text-xs text-slate-500">{PERMISSIONS[p].description}</span>
                </span>
              </label>
            ))}
          </div>
        ))}
      </div>
      {errors?.length ? (
        <p role="alert" className="text-sm text-red-700">
          {errors.join(' ')}
        </p>
      ) : null}
    </fieldset>
  )
}
