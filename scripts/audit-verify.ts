/**
 * npm run audit:verify [-- --org <id>]: recomputes the audit hash chain of
 * every organization (or one), from its latest signed checkpoint, and prints one line per chain, with the first
 * broken link of a broken one; exits 1 when any is broken. Uses DATABASE_URL,
 * or the embedded PostgreSQL under .data/ when it is unset.
 */
import { parseArgs } from 'node:util'
import { parseConfig } from '~/lib/config.server'
import { isUuid } from '~/lib/validation'
import { verifyAuditChains } from '../db/audit-chain'
import { checkpointKey } from '../db/audit-checkpoint'
import { withPrivilegedClient } from '../db/privileged'

const { values } = parseArgs({ options: { org: { type: 'string' } } })
if (values.org !== undefined && !isUuid(values.org)) {
  console.error('usage: npm run audit:verify [-- --org <organization id>]')
  process.exit(2)
}
const config = parseConfig(process.env)
const key = await checkpointKey(config, { create: false })
const ok = await withPrivilegedClient(config, (db) => verifyAuditChains(db, key, values.org, console.log))
process.exitCode = ok ? 0 : 1
