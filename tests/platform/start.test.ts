/**
 * `npm start` as a real process (scripts/start.ts): it starts with the app's
 * own login alone, refuses to run without a database in production, and
 * stops on SIGTERM without dropping the request in flight.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, expect, inject, test } from 'vitest'
import { appDatabasePassword, appDatabaseUrl, parseConfig } from '~/lib/config.server'

interface Started {
  child: ChildProcess
  origin: string
  output: () => string
  exited: Promise<number | null>
}

const running: ChildProcess[] = []
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
})

/** The start script with exactly `env` (and PATH): nothing leaks in from the test's own environment. */
function spawnStart(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env: { NODE_ENV: 'test', PATH: process.env.PATH!, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.push(child)
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, output: () => output, exited }
}

async function start(env: Record<string, string>): Promise<Started> {
  const started = spawnStart(env)
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    const url = /NextSaaS is running at (http:\/\/\S+)/.exec(started.output())?.[1]
    if (url) return { ...started, origin: url.replace('localhost', '127.0.0.1') }
    if (started.child.exitCode !== null) break
    await sleep(50)
  }
  throw new Error(`the app did not start:\n${started.output()}`)
}

/** The app's own login on the test database: no superuser, no DDL. */
const appLogin = () => appDatabaseUrl(parseConfig({ ...process.env, APP_DATABASE_URL: undefined }))

test('production starts with APP_DATABASE_URL alone and serves pages; the login is not privileged', async () => {
  const app = await start({ NODE_ENV: 'production', APP_URL: 'https://app.example.test', APP_DATABASE_URL: appLogin(), RATE_LIMIT_STORE: 'memory' })
  const page = await fetch(`${app.origin}/login`)
  expect(page.status).toBe(200)
  expect(await page.text()).toContain('Sign in')
  const ready = await fetch(`${app.origin}/readyz`)
  expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: { status: 'ok' } } })
  expect(app.output()).not.toContain('embedded PostgreSQL')
  app.child.kill('SIGTERM')
  expect(await app.exited).toBe(0)
})

test('production without a database URL stops with a clear message and starts no PostgreSQL', async () => {
  const dir = path.join(tmpdir(), `nextsaas-no-db-${process.pid}`)
  const app = spawnStart({ NODE_ENV: 'production', APP_URL: 'https://app.example.test', APP_DATABASE_PASSWORD: 'long-enough-password', EMBEDDED_PG_DIR: dir })
  expect(await app.exited).toBe(1)
  expect(app.output()).toContain("APP_DATABASE_URL: required in production: the app's own login")
  expect(app.output()).not.toMatch(/\n\s+at /) // a message, not a stack trace
  expect(existsSync(dir)).toBe(false)
})

test('a database that does not answer: /healthz is alive, /readyz is a 503 naming the database', async () => {
  const unreachable = new URL(appLogin())
  unreachable.port = '1'
  const app = await start({ NODE_ENV: 'production', APP_URL: 'https://app.example.test', APP_DATABASE_URL: unreachable.toString(), RATE_LIMIT_STORE: 'memory' })
  expect((await fetch(`${app.origin}/healthz`)).status).toBe(200)
  const ready = await fetch(`${app.origin}/readyz`)
  expect(ready.status).toBe(503)
  expect(await ready.json()).toMatchObject({ status: 'not ready', failing: ['database'] })
  app.child.kill('SIGTERM')
  expect(await app.exited).toBe(0)
})

/**
 * A GET whose form body is still arriving: the security monitor waits for
 * it, so the request is in flight until the test sends the rest.
 */
function slowRequest(origin: string) {
  const body = 'note=first-half&rest=second-half'
  const url = new URL('/login', origin)
  const req = request({
    host: url.hostname,
    port: url.port,
    path: url.pathname,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
  })
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req.once('response', (res) => {
      let text = ''
      res.on('data', (chunk: Buffer) => (text += chunk))
      res.once('end', () => resolve({ status: res.statusCode!, text }))
    })
    req.once('error', reject)
  })
  req.write(body.slice(0, 15))
  const connected = new Promise((resolve) => req.once('socket', (socket) => socket.once('connect', resolve)))
  return { connected, finish: () => req.end(body.slice(15)), response }
}

test('SIGTERM: the request in flight completes with 200, a new connection is refused, the process exits 0', async () => {
  const app = await start({ NODE_ENV: 'test', DATABASE_URL: inject('databaseUrl'), RATE_LIMIT_STORE: 'memory', SHUTDOWN_TIMEOUT_MS: '10000' })
  const slow = slowRequest(app.origin)
  await slow.connected
  await sleep(300)
  app.child.kill('SIGTERM')
  const stopping = Date.now() + 5_000
  while (!app.output().includes('stopping: no new connections') && Date.now() < stopping) await sleep(20)

  await expect(fetch(`${app.origin}/healthz`)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } })
  expect(app.child.exitCode, 'still waiting for the request in flight').toBeNull()

  slow.finish()
  const response = await slow.response
  expect(response.status).toBe(200)
  expect(response.text).toContain('Sign in')
  expect(await app.exited).toBe(0)
  expect(app.output()).toContain('"msg":"stopped"')
})

test('SIGTERM: a request that never finishes is cut at SHUTDOWN_TIMEOUT_MS, and the process still exits 0', async () => {
  const app = await start({ NODE_ENV: 'test', DATABASE_URL: inject('databaseUrl'), RATE_LIMIT_STORE: 'memory', SHUTDOWN_TIMEOUT_MS: '500' })
  const slow = slowRequest(app.origin)
  await slow.connected
  await sleep(300)
  app.child.kill('SIGTERM')
  await expect(slow.response).rejects.toMatchObject({ code: 'ECONNRESET' })
  expect(await app.exited).toBe(0)
  expect(app.output()).toContain('requests still in flight at SHUTDOWN_TIMEOUT_MS')
})

test('the release command: migrations refuse to run without the privileged URL, and keep the password APP_DATABASE_URL carries', async () => {
  const production = { NODE_ENV: 'production' as const, APP_URL: 'https://app.example.test', APP_DATABASE_URL: 'postgres://nextsaas_app:the-app-login-password@db.internal/nextsaas' }
  expect(appDatabasePassword(parseConfig({ ...production, DATABASE_URL: 'postgres://postgres:admin@db.internal/nextsaas' }))).toBe(
    'the-app-login-password',
  )
  expect(() => parseConfig({ ...production, APP_DATABASE_URL: undefined, DATABASE_URL: 'postgres://postgres:admin@db.internal/nextsaas' })).toThrow(
    /APP_DATABASE_PASSWORD: required in production unless APP_DATABASE_URL carries it/,
  )
  const migrate = spawn(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts', 'up'], { env: { PATH: process.env.PATH!, ...production } })
  let stderr = ''
  migrate.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
  expect(await new Promise((resolve) => migrate.once('exit', resolve))).toBe(1)
  expect(stderr).toContain('DATABASE_URL is required: migrations run as the privileged login')
})
