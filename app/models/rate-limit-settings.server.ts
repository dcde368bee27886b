import { z } from 'zod'
import { json } from '../../db/types/Json'
import { writeAudit } from './audit.server'
import { sql, withTenant, type TenantActor } from './db.server'

/**
 * Replaces the organization's limits (only the keys given; the rest fall back
 * to the defaults) and records the change with what it replaced.
 */
export function saveRateLimitOverrides(actor: TenantActor, overrides: Record<string, number>): Promise<void> {
  return withTenant(actor, async (tx) => {
    const before = await tx.oneFirst(sql.type(z.object({ previous: json }))`
      select set_organization_rate_limits(${actor.organizationId}, ${sql.jsonb(overrides)}) as previous`)
    await writeAudit(tx, actor, {
      action: 'organization.rate_limits_changed',
      resourceType: 'organization',
      resourceId: actor.organizationId,
      details: { before, after: overrides },
    })
  })
}

/**
 * The one record a limited window leaves: written by the request that used
 * it up, never by the ones refused after it.
 */
export function recordRateLimitHit(
  actor: TenantActor,
  hit: { policy: string; endpoint: string; quota: number; windowSeconds: number },
): Promise<void> {
  return withTenant(actor, (tx) =>
    writeAudit(tx, actor, {
      action: 'rate_limit.exceeded',
      resourceType: 'rate_limit',
      resourceId: hit.policy,
      details: hit,
      result: 'failure',
    }),
  )
}

const HitsByEndpoint = z.object({ endpoint: z.string(), policy: z.string(), hits: z.number(), lastAt: z.date() })
const HitsByHour = z.object({ hour: z.date(), hits: z.number() })

/** The organization's limited windows of the last day: by endpoint, and hour by hour for the chart. */
export function recentRateLimitHits(actor: TenantActor) {
  return withTenant(actor, async (tx) => {
    const since = sql.fragment`now() - interval '24 hours'`
    const byEndpoint = await tx.any(sql.type(HitsByEndpoint)`
      select details ->> 'endpoint' as endpoint, details ->> 'policy' as policy, count(*) as hits, max(created_at) as "lastAt"
      from audit_logs
      where organization_id = ${actor.organizationId} and action = 'rate_limit.exceeded' and created_at > ${since}
      group by 1, 2
      order by hits desc, "lastAt" desc
      limit 50`)
    const byHour = await tx.any(sql.type(HitsByHour)`
      select date_trunc('hour', created_at) as hour, count(*) as hits
      from audit_logs
      where organization_id = ${actor.organizationId} and action = 'rate_limit.exceeded' and created_at > ${since}
      group by 1
      order by 1`)
    return { byEndpoint, byHour }
  })
}
