import pg from 'pg'
import { expect, inject, test } from 'vitest'
import { appDatabasePassword, parseConfig } from '~/lib/config.server'
import { migrate } from '../../db/migrate'
import { createDatabase } from '../../db/throwaway'

async function tables(url: string) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const { rows } = await client.query(
    `select table_schema || '.' || table_name as t from information_schema.tables
     where table_schema in ('public', 'auth') and table_name <> 'pgmigrations' order by 1`,
  )
  await client.end()
  return rows.map((r) => r.t)
}

test('migrations run up, down and up again on an empty database', async () => {
  const database = await createDatabase(inject('adminUrl'), 'nextsaas_migrations')
  const options = { databaseUrl: database.url, appPassword: appDatabasePassword(parseConfig(process.env)) }
  try {
    await migrate({ ...options, direction: 'up' })
    const afterUp = await tables(database.url)
    expect(afterUp).toContain('public.projects')
    expect(afterUp).toContain('auth.sessions')

    await migrate({ ...options, direction: 'down', count: Infinity })
    expect(await tables(database.url)).toEqual([])

    await migrate({ ...options, direction: 'up' })
    expect(await tables(database.url)).toEqual(afterUp)
  } finally {
    await database.drop()
  }
})
