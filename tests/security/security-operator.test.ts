import { beforeAll, expect, test } from 'vitest'
import { Client, createOrg, PASSWORD, signedUpClient } from '../utils/app'
import { setupApp } from '../utils/fixture'

// Read by the app's configuration, which this worker has not parsed yet.
const OPERATOR = `operator-${process.pid}-${Date.now().toString(36)}@example.test`
const UNCLAIMED = `unclaimed-${process.pid}-${Date.now().toString(36)}@example.test`
process.env.SECURITY_OPERATOR_EMAILS = ` Someone@Example.test , ${OPERATOR.toUpperCase()}, ${UNCLAIMED} `

const ctx = setupApp()
const verify = (email: string) => ctx.admin.query('update auth.users set email_verified_at = now() where email = $1', [email])

let operator: Client
beforeAll(async () => {
  operator = new Client(ctx.origin)
  const response = await operator.post('/signup', { name: 'Instance Operator', email: OPERATOR, password: PASSWORD })
  expect(response.status).toBe(302)
  await verify(OPERATOR)
})

test('an operator sees events of every organization and those outside any', async () => {
  const owner = await signedUpClient(ctx.origin, 'Operated Owner')
  const slug = await createOrg(owner, 'Operated Org')
  await ctx.admin.query(
    `insert into security_events (organization_id, type, severity, rule_id, sample, ip_address)
     select id, 'SQL_INJECTION', 'HIGH', 'operator-org-rule', 'in an organization', '192.0.2.10' from organizations where slug = $1`,
    [slug],
  )
  await ctx.admin.query(
    `insert into security_events (type, severity, rule_id, sample, ip_address) values ('BRUTE_FORCE', 'HIGH', 'operator-orgless-rule', 'no organization', '192.0.2.11')`,
  )
  const response = await operator.get('/security')
  expect(response.status).toBe(200)
  const html = await response.text()
  expect(html).toContain('operator-org-rule')
  expect(html).toContain('Operated Org')
  expect(html).toContain('operator-orgless-rule')

  const filtered = await (await operator.get('/security?ip=192.0.2.11')).text()
  expect(filtered).toContain('operator-orgless-rule')
  expect(filtered).not.toContain('operator-org-rule')
  expect((await operator.get('/security?ip=nope')).status).toBe(400)
})

test('to everyone else, including organization owners, the page does not exist', async () => {
  const owner = await signedUpClient(ctx.origin, 'Not Operator')
  await createOrg(owner, 'Unoperated Org')
  expect((await owner.get('/security')).status).toBe(404)
  expect((await new Client(ctx.origin).get('/security')).status).toBe(302)
})

test('signing up with an operator address nobody has verified opens nothing', async () => {
  const claimant = new Client(ctx.origin)
  expect((await claimant.post('/signup', { name: 'Claimant', email: UNCLAIMED, password: PASSWORD })).status).toBe(302)
  const response = await claimant.get('/security')
  expect(response.status).toBe(404)
  expect(await response.text()).not.toContain('All organizations')
  // Only proving the address opens the log.
  await verify(UNCLAIMED)
  expect((await claimant.get('/security')).status).toBe(200)
})

test('the app cannot read the whole log except through the operator function', async () => {
  // As the tenant role with no organization claims, nothing; only nextsaas_auth may call the function.
  await ctx.admin.query(`begin; set local role authenticated`)
  try {
    expect((await ctx.admin.query('select count(*)::int as n from security_events')).rows[0].n).toBe(0)
    await expect(ctx.admin.query('select * from operator_security_events(null, null, null, null, null, null, 10, 0)')).rejects.toThrow(
      /permission denied/,
    )
  } finally {
    await ctx.admin.query('rollback')
  }
})
