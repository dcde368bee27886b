import { sql, withTenant, type Actor, type Tx } from './db.server'

export interface AuditEntry {
  /** `resource.verb`, past tense: `workspace.created`, `member.role_changed`. */
  action: string
  resourceType: string
  resourceId?: string
  details?: Record<string, unknown>
  result?: 'success' | 'failure' | 'error'
}

/**
 * The audit row of a change, written in the change's own transaction: if the
 * change commits, so does its record; if either fails, neither exists.
 */
export async function writeAudit(tx: Tx, actor: Actor, entry: AuditEntry, organizationId = actor.organizationId) {
  await tx.query(sql.unsafe`
    insert into audit_logs (organization_id, user_id, action, resource_type, resource_id, details, ip_address, user_agent, result)
    values (${organizationId ?? null}, ${actor.userId}, ${entry.action}, ${entry.resourceType}, ${entry.resourceId ?? null},
            ${sql.jsonb((entry.details ?? {}) as never)}, ${actor.ip ?? null}, ${actor.userAgent ?? null}, ${entry.result ?? 'success'})`)
}

/** A refused action leaves a trace too, in a transaction of its own. */
export function recordDenial(actor: Actor, entry: Omit<AuditEntry, 'result'>) {
  return withTenant(actor, (tx) => writeAudit(tx, actor, { ...entry, result: 'failure' }))
}
