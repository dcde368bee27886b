/**
 * The distribution step, run after `migrate up` on a Citus coordinator with
 * its privileged URL (`npm run citus:distribute`). Idempotent: a table
 * already placed is left as it is, so it runs again after every migration.
 *
 * 1. The roles a transaction becomes may log in to the workers: Citus opens
 *    its worker connections as the current user. Each gets a fresh random
 *    password, kept in pg_dist_authinfo on every node (readable by superusers
 *    only), so that nobody — the app's login included — knows it.
 * 2. db/citus/distribute.sql: the policy helpers and the policies rewritten
 *    without subqueries (Citus refuses those on its tables).
 * 3. Placement, one table per transaction: reference tables, then the tenant
 *    tables distributed by organization_id and co-located.
 */
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

const SQL_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'distribute.sql')

/** The roles the app's transactions become; Citus logs in to the workers as them. */
export const WORKER_LOGIN_ROLES = ['authenticated', 'nextsaas_auth'] as const

/**
 * Read on every request and looked up by globally unique keys (a user's
 * email, an organization's slug): a copy on every node.
 */
export const REFERENCE_TABLES = ['auth.users', 'public.organizations'] as const

/**
 * Tenant tables sharded by organization_id, all co-located with the first:
 * one organization's rows of every table live in one shard group, so its
 * joins, foreign keys and policy checks stay on one worker.
 */
export const DISTRIBUTED_TABLES = [
  'public.roles',
  'public.organization_members',
  'public.workspaces',
  'public.projects',
  'public.role_grants',
  'public.invitations',
] as const

/**
 * Tenant tables kept on the coordinator: the logs, whose rows may belong to no
 * organization (sign-in attempts, attacks before a tenant is known) and whose
 * key is `id` alone, and the audit log's hash-chain heads and checkpoints,
 * which its insert trigger locks and reads beside it (decision 005).
 */
export const COORDINATOR_TENANT_TABLES = [
  'public.audit_logs',
  'public.audit_chain_heads',
  'public.audit_checkpoints',
  'public.security_events',
] as const

async function setWorkerPasswords(client: pg.Client) {
  for (const role of WORKER_LOGIN_ROLES) {
    const password = randomBytes(24).toString('base64url')
    // ALTER ROLE propagates to every worker; pg_dist_authinfo is per node.
    await client.query(`alter role ${pg.escapeIdentifier(role)} login password ${client.escapeLiteral(password)}`)
    const store = `delete from pg_dist_authinfo where nodeid = 0 and rolename = ${client.escapeLiteral(role)};
                   insert into pg_dist_authinfo (nodeid, rolename, authinfo) values (0, ${client.escapeLiteral(role)}, ${client.escapeLiteral(`password=${password}`)})`
    await client.query(store)
    await client.query(`select run_command_on_workers($1)`, [`begin; ${store}; commit`])
  }
}

/**
 * The logs stay plain tables, outside Citus: only their key to auth.users (a
 * reference table) would put them in its metadata, where security_events'
 * upsert (record_security_event stamps `now()` in DO UPDATE) is refused and
 * the audit chain's functions, which take an `audit_logs` row, would be
 * handed the row type of Citus's local shard instead. The keys go; accounts
 * are never deleted, so their ON DELETE SET NULL never fired.
 */
async function keepLogsPlain(client: pg.Client) {
  for (const table of ['public.audit_logs', 'public.security_events']) {
    const { rows } = await client.query<{ name: string }>(
      `select conname as name from pg_constraint where contype = 'f' and conrelid = $1::regclass and confrelid = 'auth.users'::regclass`,
      [table],
    )
    for (const key of rows) await client.query(`alter table ${table} drop constraint ${pg.escapeIdentifier(key.name)}`)
    const inCitus = await client.query(`select 1 from pg_dist_partition where logicalrelid = $1::regclass`, [table])
    if (inCitus.rowCount) await client.query(`select undistribute_table($1)`, [table])
  }
}

async function placeTables(client: pg.Client) {
  await keepLogsPlain(client)
  const placed = async (table: string, type: 'reference' | 'distributed') =>
    Boolean((await client.query(`select 1 from citus_tables where table_name = $1::regclass and citus_table_type = $2`, [table, type])).rowCount)
  for (const table of REFERENCE_TABLES) if (!(await placed(table, 'reference'))) await client.query(`select create_reference_table($1)`, [table])

  const pending: string[] = []
  for (const table of DISTRIBUTED_TABLES) if (!(await placed(table, 'distributed'))) pending.push(table)
  if (!pending.length) return
  // A key between a local and a distributed table cannot exist: the keys
  // between tenant tables are dropped, the tables distributed, and the same
  // keys added back, now between co-located shards.
  const { rows: keys } = await client.query<{ tbl: string; name: string; def: string }>(
    `select conrelid::regclass::text as tbl, conname as name, pg_get_constraintdef(oid) as def from pg_constraint
     where contype = 'f' and conrelid = any($1::regclass[]) and confrelid = any($2::regclass[])`,
    [pending, DISTRIBUTED_TABLES],
  )
  for (const key of keys) await client.query(`alter table ${key.tbl} drop constraint ${pg.escapeIdentifier(key.name)}`)
  for (const table of pending) {
    const colocateWith = table === DISTRIBUTED_TABLES[0] ? 'default' : DISTRIBUTED_TABLES[0]
    await client.query(`select create_distributed_table($1, 'organization_id', colocate_with => $2)`, [table, colocateWith])
  }
  // Citus cannot cascade an update of a key that holds the distribution
  // column: the role keys these cascades followed are never renamed (the app
  // has no such edit), so a rename of one in use is refused instead.
  for (const key of keys) {
    const def = key.def.replace(' ON UPDATE CASCADE', '')
    await client.query(`alter table ${key.tbl} add constraint ${pg.escapeIdentifier(key.name)} ${def}`)
  }
}

/**
 * The live-update triggers (decision 018) on distributed tables would NOTIFY
 * on the workers, where nobody listens, and Citus cannot commit a write that
 * spans nodes (two-phase commit) once a worker has run NOTIFY. They are
 * disabled there; the audit log's trigger on the coordinator announces the
 * app's changes instead (distribute.sql, realtime.announce_audited).
 */
async function disableAnnouncements(client: pg.Client) {
  const { rows } = await client.query<{ tbl: string; name: string }>(
    `select t.tgrelid::regclass::text as tbl, t.tgname as name from pg_trigger t
     join pg_proc p on p.oid = t.tgfoid join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'realtime' and p.proname = 'announce' and t.tgenabled <> 'D' and t.tgrelid = any($1::regclass[])`,
    [DISTRIBUTED_TABLES],
  )
  for (const row of rows) await client.query(`alter table ${row.tbl} disable trigger ${pg.escapeIdentifier(row.name)}`)
}

export async function distribute(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  client.on('notice', () => {})
  try {
    const citus = await client.query(`select 1 from pg_extension where extname = 'citus'`)
    if (!citus.rowCount) throw new Error('the citus extension is not installed in this database: the distribution step runs on a Citus coordinator')
    await setWorkerPasswords(client)
    await client.query(await readFile(SQL_FILE, 'utf8'))
    await client.query('set citus.enable_unsafe_triggers = on')
    await placeTables(client)
    await disableAnnouncements(client)
  } finally {
    await client.end()
  }
}
