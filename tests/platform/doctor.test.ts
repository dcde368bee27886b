/**
 * `npm run doctor`: healthy on the migrated test database; every broken
 * property it checks is named as a failure, and the command exits non-zero;
 * it runs against DATABASE_URL and against the embedded PostgreSQL alike.
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { expect, inject, test } from 'vitest'
import { appDatabasePassword, parseConfig } from '~/lib/config.server'
import { formatResults, runDoctor, type CheckResult } from '../../db/doctor'
import { migrate } from '../../db/migrate'
import { createDatabase, freePort } from '../../db/throwaway'

const verdicts = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.check, r.verdict]))

/** A script as `npm run` starts it, with this environment (undefined = unset) instead of the test's database. */
function npmRun(script: string, env: Record<string, string | undefined>, args: string[] = []) {
  const merged: Record<string, string> = {}
  for (const [name, value] of Object.entries({ ...process.env, DATABASE_URL: undefined, ...env })) if (value !== undefined) merged[name] = value
  return spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { env: merged as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 120_000 })
}

test('the migrated database of this run is healthy', async () => {
  const results = await runDoctor(process.env)
  expect(results.map((r) => r.check)).toEqual([
    'configuration',
    'database',
    'migrations',
    'app login',
    'row-level security',
    'redis',
    'mail provider',
    'replica lag',
    'clock skew',
    'connections',
  ])
  expect(
    results.filter((r) => r.verdict === 'fail' || r.verdict === 'warn'),
    formatResults(results),
  ).toEqual([])
})

test('a broken deployment fails on each thing that is wrong, and the command exits 1', { timeout: 120_000 }, async () => {
  const database = await createDatabase(inject('adminUrl'), 'nextsaas_doctor')
  const appPassword = appDatabasePassword(parseConfig(process.env))
  const admin = new pg.Client({ connectionString: database.url })
  try {
    await migrate({ databaseUrl: database.url, direction: 'up', appPassword })
    await admin.connect()
    await admin.query(`delete from pgmigrations where name = (select max(name) from pgmigrations)`)
    await admin.query(`alter table public.projects no force row level security`)
    await admin.query(`grant select on public.workspaces to nextsaas_app`)
    const env = { ...process.env, DATABASE_URL: database.url, NODE_ENV: 'production', APP_URL: 'https://app.example.test', APP_DATABASE_PASSWORD: appPassword, MAIL_API_URL: undefined }

    const results = await runDoctor(env, { processes: 1000 })
    expect(verdicts(results)).toMatchObject({
      configuration: 'ok',
      database: 'ok',
      migrations: 'fail',
      'app login': 'fail',
      'row-level security': 'fail',
      'mail provider': 'fail',
      connections: 'fail',
    })
    const text = formatResults(results)
    expect(text).toMatch(/row-level security\s+FAIL\s+not enabled and forced: public\.projects \(not forced\)/)
    expect(text).toMatch(/app login\s+FAIL\s+nextsaas_app: holds 1 table privileges/)

    const run = npmRun('scripts/doctor.ts', { DATABASE_URL: database.url, NODE_ENV: 'production', APP_URL: 'https://app.example.test', APP_DATABASE_PASSWORD: appPassword })
    expect(run.status, run.stderr).toBe(1)
    expect(run.stdout).toMatch(/^migrations\s+FAIL\s+1 pending/m)
  } finally {
    await admin.end()
    await database.drop()
  }
})

test('a configuration that does not read is the first failure, and nothing else is tried', () => {
  const run = npmRun('scripts/doctor.ts', { DATABASE_URL: 'postgres://nowhere.invalid/x', LOG_LEVEL: 'loud' })
  expect(run.status).toBe(1)
  expect(run.stdout).toMatch(/^configuration\s+FAIL\s+LOG_LEVEL: Invalid enum value/m)
  expect(run.stdout).not.toMatch(/^database/m)
})

test('with no DATABASE_URL it checks the embedded PostgreSQL, as npm start runs it', { timeout: 180_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nextsaas-doctor-'))
  const env = { EMBEDDED_PG_DIR: path.join(dir, 'postgres'), EMBEDDED_PG_PORT: String(await freePort()), REDIS_URL: undefined }
  try {
    const before = npmRun('scripts/doctor.ts', env)
    expect(before.status, before.stderr).toBe(1)
    expect(before.stdout).toMatch(/^migrations\s+FAIL\s+\d+ pending/m)
    const migrated = npmRun('scripts/migrate.ts', env, ['up'])
    expect(migrated.status, migrated.stderr).toBe(0)
    const after = npmRun('scripts/doctor.ts', env)
    expect(after.status, after.stdout + after.stderr).toBe(0)
    expect(after.stdout).toMatch(/^database\s+ok\s+PostgreSQL 17/m)
    expect(after.stdout).toMatch(/^healthy/m)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
