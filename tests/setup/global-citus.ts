import type { TestProject } from 'vitest/node'
import { openCitusThrowawayDatabase } from '../../db/citus/throwaway'

/**
 * `npm run test:citus`: instead of a throwaway database, a Citus cluster (a
 * coordinator and two workers on loopback, in a temp folder), migrated and
 * distributed; the suites run against its coordinator.
 */
export default async function setup(project: TestProject) {
  const database = await openCitusThrowawayDatabase()
  project.provide('adminUrl', database.url)
  project.provide('databaseUrl', database.url)
  return database.dispose
}
