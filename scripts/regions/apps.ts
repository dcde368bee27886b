/**
 * The app in two regions over a Cluster (./cluster.ts), each as its own
 * process (`node scripts/start.ts`, as `npm start` runs it): one in the
 * primary region on the primary, one in a replica region reading from the
 * standby — with a replay-aware front proxy (./replay-proxy.ts) entering
 * each region.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Cluster } from './cluster'
import { CLUSTER_APP_PASSWORD, freePort } from './cluster'
import { startReplayProxy, type ReplayProxy } from './replay-proxy'

export const PRIMARY_REGION = 'ams'
export const REPLICA_REGION = 'iad'

export interface RegionApp {
  region: string
  /** The app's own origin, bypassing the proxy. */
  origin: string
  /** The front proxy whose requests enter this region. */
  proxy: ReplayProxy
  process: ChildProcess
  /** What the process printed (stdout and stderr). */
  output(): string
}

export interface Regions {
  primary: RegionApp
  replica: RegionApp
  stop(): Promise<void>
}

async function ready(origin: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}:\n${output()}`)
    const answered = await fetch(`${origin}/healthz`).then(
      (response) => response.ok,
      () => false,
    )
    if (answered) return
    await sleep(200)
  }
  throw new Error(`the app did not answer at ${origin} within 60 s:\n${output()}`)
}

export interface AppProcess {
  origin: string
  child: ChildProcess
  output(): string
}

/**
 * One app process as `npm start` runs it, on a free loopback port, with
 * `env` on top of this process's environment; ready once /healthz answers.
 * `echo` prints its output with `label` in front.
 */
export async function startAppProcess(label: string, env: Record<string, string>, echo = false): Promise<AppProcess> {
  const port = await freePort()
  let output = ''
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env: { ...process.env, NODE_ENV: 'development', SEED_DEMO: 'false', ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const collect = (chunk: Buffer) => {
    output += chunk.toString()
    if (echo) process.stdout.write(chunk.toString().replace(/^(?=.)/gm, `[${label}] `))
  }
  child.stdout!.on('data', collect)
  child.stderr!.on('data', collect)
  const origin = `http://127.0.0.1:${port}`
  await ready(origin, child, () => output)
  return { origin, child, output: () => output }
}

/** The app in `region` over the cluster: on the primary, reading from the standby outside the primary region. */
function startApp(region: string, cluster: Cluster, env: Record<string, string>, echo: boolean) {
  return startAppProcess(
    region,
    {
      DATABASE_URL: cluster.primaryUrl,
      APP_DATABASE_PASSWORD: CLUSTER_APP_PASSWORD,
      PRIMARY_REGION,
      FLY_REGION: region,
      DATABASE_REPLICA_URL: cluster.appUrl('standby'),
      ...env,
    },
    echo,
  )
}

export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

/**
 * Starts both apps and their proxies. `env` is added to both apps'
 * environment (and `primaryEnv` to the primary's); `echo` prints their
 * output with the region in front; the replica region's proxy listens on
 * `replicaProxyPort` when given (a browser test's fixed base URL).
 */
export async function startRegions(
  cluster: Cluster,
  options: { env?: Record<string, string>; primaryEnv?: Record<string, string>; echo?: boolean; replicaProxyPort?: number } = {},
): Promise<Regions> {
  const echo = options.echo ?? false
  const [primary, replica] = await Promise.all([
    startApp(PRIMARY_REGION, cluster, { ...options.env, ...options.primaryEnv }, echo),
    startApp(REPLICA_REGION, cluster, options.env ?? {}, echo),
  ])
  const apps = { [PRIMARY_REGION]: primary.origin, [REPLICA_REGION]: replica.origin }
  const [primaryProxy, replicaProxy] = await Promise.all([
    startReplayProxy({ entry: PRIMARY_REGION, apps }),
    startReplayProxy({ entry: REPLICA_REGION, apps, port: options.replicaProxyPort }),
  ])
  const app = (region: string, started: typeof primary, proxy: ReplayProxy): RegionApp => ({
    region,
    origin: started.origin,
    proxy,
    process: started.child,
    output: started.output,
  })
  return {
    primary: app(PRIMARY_REGION, primary, primaryProxy),
    replica: app(REPLICA_REGION, replica, replicaProxy),
    async stop() {
      await Promise.all([primaryProxy.close(), replicaProxy.close()])
      await Promise.all([stopProcess(primary.child), stopProcess(replica.child)])
    },
  }
}

/** Ctrl-C or SIGTERM stops the apps, then the cluster, once, and exits. */
export function stopOnSignals(regions: { stop(): Promise<void> }, cluster: { stop(): Promise<void> }) {
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    await regions.stop()
    await cluster.stop()
    process.exit(0)
  }
  process.once('SIGINT', () => void stop())
  process.once('SIGTERM', () => void stop())
}
