import pg from 'pg'
import { inject } from 'vitest'

/** A superuser connection to the test database, for arranging and checking state. */
export async function adminClient() {
  const client = new pg.Client({ connectionString: inject('databaseUrl') })
  await client.connect()
  return client
}

/** The BRUTE_FORCE events a request recorded (the security monitor's log knows requests by traceId). */
export async function bruteForceEvents(admin: pg.Client, response: Response) {
  const { rows } = await admin.query(
    `select rule_id, severity, blocked, endpoint, host(ip_address) as ip from security_events
     where type = 'BRUTE_FORCE' and details ->> 'trace_id' = $1`,
    [response.headers.get('x-request-id')],
  )
  return rows
}
