/** The usage page's view of the limits: consumption now, the limits in force and their bounds, the recent 429s. */
import type { AppLoadContext } from '@remix-run/node'
import { getConfig } from '~/lib/config.server'
import { recentRateLimitHits, saveRateLimitOverrides } from '~/models/rate-limit-settings.server'
import type { Tenant } from '~/models/tenant.server'
import { defaultLimits, effectiveLimits, maximumLimits, type Outcome, type Overrides } from './policies'

export async function rateLimitUsage(tenant: Tenant, context: AppLoadContext) {
  const config = getConfig()
  const stored = tenant.rateLimits
  const ids = { userId: tenant.user.id, organizationId: tenant.organization.id }
  const limits = context.rateLimits
  const noStatus: Outcome[] = []
  const [status, hits] = await Promise.all([limits ? limits.status(ids, stored) : noStatus, recentRateLimitHits(tenant.actor)])
  return {
    enabled: config.RATE_LIMIT_ENABLED,
    store: limits?.store ?? null,
    status,
    hits,
    stored: (stored && typeof stored === 'object' ? stored : {}) as Overrides,
    limits: effectiveLimits(config, stored),
    defaults: defaultLimits(config),
    maximum: maximumLimits(config),
    windowSeconds: { requests: config.RATE_LIMIT_WINDOW_MS / 1000, burst: config.RATE_LIMIT_BURST_WINDOW_MS / 1000 },
  }
}

/** The system maximum an organization may set, per limit (for the owners' form). */
export const organizationLimitBounds = () => maximumLimits(getConfig())

/** Saves an owner's limits; every process applies them from its next request (they are read with the membership). */
export async function saveOrganizationRateLimits(tenant: Tenant, overrides: Overrides) {
  const values = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Record<string, number>
  await saveRateLimitOverrides(tenant.actor, values)
}
