import { inject } from 'vitest'
import pg from 'pg'

/** A superuser connection to the test database, for arranging and checking state. */
export async function adminClient() {
  const client = new pg.Client({ connectionString: inject('databaseUrl') })
  await client.connect()
  return client
}
