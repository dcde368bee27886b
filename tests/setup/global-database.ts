import type { TestProject } from 'vitest/node'
import { appDatabasePassword, parseConfig } from '~/lib/config.server'
import { migrate } from '../../db/migrate'
import { createDatabase, startDatabaseServer } from '../../db/throwaway'

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string
    databaseUrl: string
  }
}

/** One migrated database for the whole run, on DATABASE_URL's server or an embedded one. */
export default async function setup(project: TestProject) {
  const server = await startDatabaseServer()
  const database = await createDatabase(server.adminUrl)
  await migrate({ databaseUrl: database.url, direction: 'up', appPassword: appDatabasePassword(parseConfig(process.env)) })
  project.provide('adminUrl', server.adminUrl)
  project.provide('databaseUrl', database.url)
  return async () => {
    await database.drop()
    await server.stop()
  }
}
