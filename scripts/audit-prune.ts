/**
 * npm run audit:prune [-- --org <id>]: deletes audit rows older than each
 * organization's retention, leaving a signed checkpoint where each chain is
 * cut (see db/audit-prune.ts); exits 1 when a chain that does not verify was
 * left alone. Uses DATABASE_URL, or the embedded PostgreSQL under .data/.
 * Needs AUDIT_CHECKPOINT_KEY in production.
 */
import { parseArgs } from 'node:util'
import { parseConfig } from '~/lib/config.server'
import { isUuid } from '~/lib/validation'
import { checkpointKey } from '../db/audit-checkpoint'
import { pruneAuditLogs } from '../db/audit-prune'
import { withPrivilegedClient } from '../db/privileged'

const { values } = parseArgs({ options: { org: { type: 'string' } } })
if (values.org !== undefined && !isUuid(values.org)) {
  console.error('usage: npm run audit:prune [-- --org <organization id>]')
  process.exit(2)
}
const config = parseConfig(process.env)
const key = await checkpointKey(config, { create: true })
if (!key) {
  console.error('AUDIT_CHECKPOINT_KEY is required in production: checkpoints are signed with it')
  process.exit(2)
}
const results = await withPrivilegedClient(config, (db) => pruneAuditLogs(db, config, key, { organizationId: values.org, print: console.log }))
const pruned = results.reduce((sum, r) => sum + r.pruned, 0)
console.log(`${pruned} rows pruned across ${results.length} chains`)
process.exitCode = results.some((r) => r.refused) ? 1 : 0
