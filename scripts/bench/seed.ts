/**
 * Bulk tenants for the RLS benchmark, generated server-side with
 * generate_series so a million rows take seconds, not a million round trips.
 * Ids are md5-derived from each row's number, so children find their parents
 * without a join; foreign keys and unique keys are still checked on insert.
 */
import type pg from 'pg'
import { BUILTIN_ROLES } from '~/lib/permissions'

export interface SeedShape {
  organizations: number
  workspacesPerOrganization: number
  projectsPerWorkspace: number
}

/** Projects are inserted in slices of this many rows, so progress shows. */
const PROJECT_SLICE = 250_000

const ORG_ID = `md5('org:' || o)::uuid`
const USER_ID = `md5('user:' || o)::uuid`
const WORKSPACE_ID = `md5('ws:' || o || ':' || w)::uuid`

export async function seedTenants(client: pg.Client, shape: SeedShape, log: (line: string) => void) {
  const orgs = shape.organizations
  const step = async (label: string, text: string, values: unknown[]) => {
    const started = performance.now()
    const result = await client.query(text, values)
    log(`  ${label.padEnd(22)} ${String(result.rowCount).padStart(9)} rows  ${((performance.now() - started) / 1000).toFixed(1)} s`)
  }

  await step(
    'auth.users (owners)',
    `insert into auth.users (id, email, name)
     select ${USER_ID}, 'owner-' || o || '@bench.invalid', 'Owner ' || o from generate_series(1, $1::int) o`,
    [orgs],
  )
  await step(
    'organizations',
    `insert into organizations (id, name, slug)
     select ${ORG_ID}, 'Organization ' || o, 'org-' || o from generate_series(1, $1::int) o`,
    [orgs],
  )
  await step(
    'roles (built-in)',
    `insert into roles (organization_id, key, name, description, permissions, is_builtin)
     select ${ORG_ID}, r.key, r.name, r.description, r.permissions, true
     from generate_series(1, $1::int) o
     cross join jsonb_to_recordset($2::jsonb) as r(key text, name text, description text, permissions text[])`,
    [orgs, JSON.stringify(BUILTIN_ROLES)],
  )
  await step(
    'organization_members',
    `insert into organization_members (organization_id, user_id, role, status, joined_at)
     select ${ORG_ID}, ${USER_ID}, 'owner', 'active', now() from generate_series(1, $1::int) o`,
    [orgs],
  )
  await step(
    'workspaces',
    `insert into workspaces (organization_id, id, name, slug, is_default)
     select ${ORG_ID}, ${WORKSPACE_ID},
            case when w = 1 then 'General' else 'Workspace ' || w end,
            case when w = 1 then 'general' else 'workspace-' || w end,
            w = 1
     from generate_series(1, $1::int) o, generate_series(1, $2::int) w`,
    [orgs, shape.workspacesPerOrganization],
  )

  // Project n belongs to organization n mod orgs: consecutive rows go to
  // different tenants and created_at follows n, as if every tenant worked at
  // once. One organization's projects thus lie on many heap pages, as in a
  // live database, not packed together as a per-tenant import would leave them.
  const total = orgs * shape.workspacesPerOrganization * shape.projectsPerWorkspace
  for (let first = 1; first <= total; first += PROJECT_SLICE) {
    const last = Math.min(first + PROJECT_SLICE - 1, total)
    await step(
      `projects ${first}–${last}`,
      `insert into projects (organization_id, workspace_id, name, slug, status, created_at, updated_at)
       select ${ORG_ID}, ${WORKSPACE_ID}, 'Project ' || n, 'project-' || n,
              case when n % 7 = 0 then 'archived' else 'active' end, at, at
       from generate_series($1::int, $2::int) n,
            lateral (select (n - 1) % $3::int + 1 as o,
                            ((n - 1) / $3::int) % $4::int + 1 as w,
                            timestamptz '2025-01-01' + n * interval '30 seconds' as at) k`,
      [first, last, orgs, shape.workspacesPerOrganization],
    )
  }
}
