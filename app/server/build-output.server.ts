/** Where `remix vite:build` leaves the app: one server bundle, and the files browsers fetch. */
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ServerBuild } from '@remix-run/node'

export const SERVER_BUILD_FILE = 'build/server/index.js'
/** Public files and the fingerprinted assets (under assets/), as the build copied them. */
export const CLIENT_BUILD_DIR = 'build/client'

export async function loadServerBuild(): Promise<ServerBuild> {
  return (await import(pathToFileURL(path.resolve(SERVER_BUILD_FILE)).href)) as ServerBuild
}
