/**
 * `npm run screenshots`: the README's pictures, taken from the seeded demo so
 * that they show what the product does today. Starts the app on a throwaway
 * database holding the demo (e2e/serve.ts with SEED_DEMO=true), signs in as
 * the demo account each picture is about, and writes docs/screenshots/*.png,
 * squeezed by pngquant when it is installed (Debian: `apt-get install pngquant`;
 * `fonts-noto-color-emoji` draws the workspace icons).
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout } from 'node:timers/promises'
import { chromium, type Page } from '@playwright/test'
import { DEMO_ACCOUNTS } from '../db/seed-demo'
import { freePort } from '../db/throwaway'

const OUT = 'docs/screenshots'
const WIDTH = 1280
const ORG = '/orgs/acme-robotics'

interface Shot {
  file: string
  /** The demo account that signs in to take it. */
  as: string
  height: number
  open(page: Page): Promise<unknown>
}

const SHOTS: Shot[] = [
  { file: 'organization.png', as: 'demo@nextsaas.dev', height: 520, open: (page) => page.goto(ORG) },
  { file: 'workspace.png', as: 'demo@nextsaas.dev', height: 640, open: (page) => page.goto(`${ORG}/workspaces/engineering`) },
  {
    file: 'member-permissions.png',
    as: 'demo@nextsaas.dev',
    height: 868,
    open: async (page) => {
      await page.goto(`${ORG}/members`)
      await page.getByRole('link', { name: 'Mateo Rossi' }).click()
      await page.getByRole('heading', { name: 'Effective permissions' }).waitFor()
    },
  },
  {
    file: 'role-checklist.png',
    as: 'demo@nextsaas.dev',
    height: 926,
    open: async (page) => {
      await page.goto(`${ORG}/roles`)
      await page.getByRole('listitem').filter({ hasText: 'Project lead' }).getByRole('link', { name: 'Edit' }).click()
      await page.getByRole('heading', { name: /Edit role/ }).waitFor()
    },
  },
  { file: 'audit-log.png', as: 'auditor@nextsaas.dev', height: 800, open: (page) => page.goto(`${ORG}/audit`) },
]

async function startApp(port: number) {
  const app = spawn(process.execPath, ['--import', 'tsx', 'e2e/serve.ts'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'test', LOG_LEVEL: 'error', SEED_DEMO: 'true' },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const exited = new Promise<number | null>((resolve) => app.once('exit', resolve))
  const deadline = Date.now() + 120_000
  for (;;) {
    const status = await Promise.race([exited, setTimeout(250, 'waiting' as const)])
    if (status !== 'waiting') throw new Error(`the app exited (${status}) before it answered`)
    const ready = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (response) => response.ok,
      () => false,
    )
    if (ready) break
    if (Date.now() > deadline) throw new Error('the app did not answer within two minutes')
  }
  return {
    // serve.ts drops its database on SIGTERM.
    stop: () => (app.exitCode === null && app.kill('SIGTERM'), exited),
  }
}

async function signIn(page: Page, email: string) {
  await page.context().clearCookies()
  await page.goto('/login')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(DEMO_ACCOUNTS.password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.waitForURL((url) => url.pathname !== '/login')
}

const hasPngquant = spawnSync('pngquant', ['--version']).status === 0

const port = await freePort()
const app = await startApp(port)
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
})
try {
  await mkdir(OUT, { recursive: true })
  const page = await browser.newPage({ baseURL: `http://127.0.0.1:${port}`, viewport: { width: WIDTH, height: 800 } })
  let signedIn = ''
  for (const shot of SHOTS) {
    if (shot.as !== signedIn) await signIn(page, (signedIn = shot.as))
    await page.setViewportSize({ width: WIDTH, height: shot.height })
    await shot.open(page)
    const file = path.join(OUT, shot.file)
    await page.screenshot({ path: file, animations: 'disabled' })
    if (hasPngquant) spawnSync('pngquant', ['--force', '--skip-if-larger', '--strip', '--quality=80-95', '--output', file, file])
    console.log(`${file}  ${WIDTH}×${shot.height}  ${Math.round((await stat(file)).size / 1024)} KB`)
  }
  if (!hasPngquant) console.log('pngquant is not installed: the pictures were left as Chromium wrote them')
} finally {
  await browser.close()
  await app.stop()
}
