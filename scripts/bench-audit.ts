/**
 * npm run bench:audit [-- --rows N] [--json]: the audit log's export on a
 * throwaway database holding N audit rows (default 1,000,000) in one
 * organization. Prints the rate of writing the rows through the hash-chain
 * trigger, then for each format the export's rows per second and the
 * process's peak RSS growth while it streams into a sink that discards it
 * (measured, not asserted: the claim is that memory stays flat).
 */
import { Writable } from 'node:stream'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { hashPassword } from '~/auth/password.server'
import { appDatabaseUrl, parseConfig } from '~/lib/config.server'
import { exportAuditLog, EXPORT_FORMATS, type ExportFormat } from '~/models/audit-export.server'
import type { AuditLogFilters } from '~/models/audit.server'
import { closePool, type TenantActor } from '~/models/db.server'
import { createOrganization } from '~/models/organization.server'
import { createUser } from '~/models/user.server'
import { openThrowawayDatabase } from '../db/throwaway'
import { printJson } from './bench/stats'

const { values: args } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, json: { type: 'boolean', default: false } } })
const ROWS = Number(args.rows)
if (!Number.isInteger(ROWS) || ROWS < 1) throw new Error(`--rows must be a positive integer, got ${args.rows}`)
/**
 * Rows per statement (each its own transaction). The trigger updates the chain
 * head once per row, and each update of one row within one transaction leaves
 * a version the next lookup walks past: a single statement of N rows costs
 * O(N²). The app writes a row or two per transaction; bulk writers batch.
 */
const BATCH = 1000
const MB = 1024 * 1024
const log = (line: string) => (args.json ? undefined : console.log(line))

async function writeRows(admin: pg.Client, actor: TenantActor) {
  const started = performance.now()
  for (let done = 0; done < ROWS; done += BATCH) {
    const count = Math.min(BATCH, ROWS - done)
    await admin.query(
      `insert into audit_logs (organization_id, user_id, action, resource_type, resource_id, details, ip_address, user_agent, result, trace_id)
       select $1, $2, 'workspace.updated', 'workspace', gen_random_uuid()::text,
              jsonb_build_object('name', 'Workspace ' || n, 'changes', jsonb_build_object('slug', 'ws-' || n)),
              '203.0.113.7', 'Mozilla/5.0 (bench)', 'success', gen_random_uuid()::text
       from generate_series(1, $3::int) n`,
      [actor.organizationId, actor.userId, count],
    )
    if ((done + count) % 100_000 === 0 || done + count === ROWS) log(`  ${(done + count).toLocaleString('en')} rows written`)
  }
  return ROWS / ((performance.now() - started) / 1000)
}

/** One export into a sink that counts bytes, sampling the process's RSS every 10 ms. */
async function measureExport(actor: TenantActor, format: ExportFormat, filters: AuditLogFilters = {}) {
  let bytes = 0
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length
      callback()
    },
  })
  const baseline = process.memoryUsage.rss()
  let peak = baseline
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10)
  const started = performance.now()
  const trailer = await exportAuditLog(actor, filters, format, sink)
  const seconds = (performance.now() - started) / 1000
  clearInterval(sampler)
  peak = Math.max(peak, process.memoryUsage.rss())
  return {
    format,
    rows: trailer.rows,
    seconds,
    rowsPerSecond: trailer.rows / seconds,
    megabytes: bytes / MB,
    peakRssGrowthMb: (peak - baseline) / MB,
  }
}

const database = await openThrowawayDatabase('nextsaas_bench_audit')
database.onDispose(closePool)
const admin = new pg.Client({ connectionString: database.url })
database.onDispose(() => admin.end())
try {
  const config = parseConfig(process.env)
  // The models' pool logs in as the app role on the throwaway database, like the server does.
  process.env.APP_DATABASE_URL = appDatabaseUrl({ ...config, APP_DATABASE_URL: undefined, DATABASE_URL: database.url })
  await admin.connect()
  const user = await createUser(
    { email: 'bench-auditor@example.test', name: 'Bench Auditor', passwordHash: await hashPassword('not used to sign in') },
    {},
  )
  const org = await createOrganization({ userId: user.id }, { name: 'Audit Bench Org' })
  const actor: TenantActor = { userId: user.id, organizationId: org.id, role: 'owner' }

  log(`writing ${ROWS.toLocaleString('en')} audit rows through the chain trigger…`)
  const insertRate = await writeRows(admin, actor)
  await admin.query('vacuum analyze audit_logs')
  // A first small export of each format, so that the measured ones do not count loading and compiling the code.
  for (const format of EXPORT_FORMATS) await measureExport(actor, format, { action: 'organization.created' })
  const exports = []
  for (const format of EXPORT_FORMATS) exports.push(await measureExport(actor, format))

  if (args.json) printJson({ rows: ROWS, insertRowsPerSecond: insertRate, exports })
  else {
    console.log(`\ninsert through the hash-chain trigger: ${Math.round(insertRate).toLocaleString('en')} rows/s`)
    for (const e of exports)
      console.log(
        `export ${e.format.padEnd(6)} ${e.rows.toLocaleString('en')} rows in ${e.seconds.toFixed(1)} s: ` +
          `${Math.round(e.rowsPerSecond).toLocaleString('en')} rows/s, ${e.megabytes.toFixed(0)} MB, peak RSS growth ${e.peakRssGrowthMb.toFixed(1)} MB`,
      )
  }
} finally {
  await database.dispose()
}
