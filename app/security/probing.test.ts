import { expect, test } from 'vitest'
import { createProbeWatch } from './probing.server'

const thresholds = { probes: 5, probeWindowSeconds: 60, denials: 3, denialWindowSeconds: 60 }

async function observeTimes(
  observe: ReturnType<typeof createProbeWatch>,
  times: number,
  response: Parameters<ReturnType<typeof createProbeWatch>>[0],
) {
  const rules: string[][] = []
  for (let i = 0; i < times; i++) rules.push((await observe(response)).map((f) => f.ruleId))
  return rules
}

test('a burst of 404s on tenant routes from one IP is reported at the threshold and at each multiple', async () => {
  const observe = createProbeWatch(thresholds)
  const rules = await observeTimes(observe, 10, { ip: '192.0.2.1', method: 'GET', path: '/orgs/acme/workspaces/x', status: 404 })
  expect(rules.map((r) => r.length)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 1])
  expect(rules[4]).toEqual(['probe-burst'])
})

test('other IPs, other paths and other statuses do not count', async () => {
  const observe = createProbeWatch(thresholds)
  for (let i = 0; i < 4; i++) await observe({ ip: '192.0.2.2', method: 'GET', path: '/orgs/acme/x', status: 404 })
  expect(await observe({ ip: '192.0.2.3', method: 'GET', path: '/orgs/acme/x', status: 404 })).toEqual([])
  expect(await observe({ ip: '192.0.2.2', method: 'GET', path: '/no/such/page', status: 404 })).toEqual([])
  expect(await observe({ ip: '192.0.2.2', method: 'GET', path: '/orgs/acme/x', status: 200 })).toEqual([])
  expect((await observe({ ip: '192.0.2.2', method: 'GET', path: '/orgs/acme/x', status: 404 })).map((f) => f.ruleId)).toEqual(['probe-burst'])
})

test('repeated permission denials from one IP are a HIGH finding, recorded but never blocking', async () => {
  const observe = createProbeWatch(thresholds)
  const rules = await observeTimes(observe, 3, { ip: '192.0.2.4', method: 'POST', path: '/account/tokens', status: 403 })
  expect(rules).toEqual([[], [], ['permission-denials']])
  const [finding] = await observe({ ip: '192.0.2.5', method: 'GET', path: '/x', status: 403 }).then(async () => {
    await observe({ ip: '192.0.2.5', method: 'GET', path: '/x', status: 403 })
    return observe({ ip: '192.0.2.5', method: 'GET', path: '/x', status: 403 })
  })
  expect(finding).toMatchObject({ type: 'SUSPICIOUS_ACTIVITY', severity: 'HIGH', blockable: false })
})
