/**
 * Remix behind express, with two things of our own around it:
 *
 * - the request's transaction (models/request-transaction.server.ts) is
 *   committed after the route has answered and before the response goes
 *   out, so that whoever follows a redirect finds the change committed;
 * - the JSON API's resource routes are dispatched here, without Remix's
 *   router, which flattens, ranks and compiles every route's pattern on each
 *   match (twice a request). The same route modules answer, with the same
 *   loaders, actions, guards and models; API routes were matched once, at
 *   start-up, into compiled patterns.
 */
import { createRemixRequest } from '@remix-run/express/dist/server.js'
import type { AppLoadContext, LoaderFunction, ServerBuild } from '@remix-run/node'
import { createRequestHandler } from '@remix-run/node'
// The adapter's own request and response conversions (exported by its server module, typed there).
import type { NextFunction, Request, Response } from 'express'
import type { Config } from '~/lib/config.server'
import { isApiPath } from '~/lib/paths'
import { identify } from '~/lib/request-context'
import { answerReplicaFailure, leaveWritePosition } from './regions.server'

interface CompiledRoute {
  id: string
  pattern: RegExp
  params: string[]
  score: number
  loader?: LoaderFunction
  action?: LoaderFunction
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * A route's whole path as a pattern, scored as the router ranks it: static
 * segments outrank dynamic ones, a splat comes last, and an index route
 * outranks the layout whose path it shares.
 */
function compile(route: ServerBuild['routes'][string], path: string): CompiledRoute {
  const params: string[] = []
  let score = route.index ? 2 : 0
  const source = path
    .split('/')
    .map((segment) => {
      if (segment === '*') {
        params.push('*')
        score -= 2
        return '(.*)'
      }
      if (segment.startsWith(':')) {
        params.push(segment.slice(1))
        score += 3
        return '([^/]+)'
      }
      score += 10
      return escapeRegex(segment)
    })
    .join('/')
  const module = route.module as { loader?: LoaderFunction; action?: LoaderFunction }
  return { id: route.id, pattern: new RegExp(`^/${source}/?$`, 'i'), params, score, loader: module.loader, action: module.action }
}

/** A route's whole path: nested routes (`api.organizations.$orgId` under `api.organizations`) add to their parent's. */
function fullPath(build: ServerBuild, id: string): string {
  const route = build.routes[id]!
  const parent = route.parentId && route.parentId !== 'root' ? fullPath(build, route.parentId) : ''
  return [parent, route.path ?? ''].filter(Boolean).join('/')
}

/** The build's routes that `keep` selects, best match first. */
function compileRoutes(build: ServerBuild, keep: (route: ServerBuild['routes'][string], path: string) => boolean): CompiledRoute[] {
  return Object.values(build.routes)
    .filter((route) => route.id !== 'root')
    .map((route) => ({ route, path: fullPath(build, route.id) }))
    .filter(({ route, path }) => keep(route, path))
    .map(({ route, path }) => compile(route, path))
    .sort((a, b) => b.score - a.score)
}

function match(routes: CompiledRoute[], pathname: string) {
  for (const route of routes) {
    const found = route.pattern.exec(pathname)
    if (!found) continue
    const params = Object.fromEntries(route.params.map((name, i) => [name, decodeURIComponent(found[i + 1]!)]))
    return { route, params }
  }
  return null
}

/**
 * The id of the route that answers a page or data request (the deepest
 * match), for the request's log lines and error report. Matched with
 * compiled patterns: the router's own matchRoutes() costs 0.4 ms a call here.
 */
function pageRouteId(pages: CompiledRoute[], req: Request): string | undefined {
  // A data request (single fetch) is the page's path plus `.data`; the home page's is `/_root.data`.
  const path = req.path.endsWith('.data') ? req.path.slice(0, -'.data'.length).replace(/^\/_root$/, '/') : req.path
  try {
    return match(pages, path)?.route.id
  } catch {
    // A malformed escape in the path: Remix answers it; the log names no route.
    return undefined
  }
}

/**
 * Sends a Remix response as @remix-run/express's sendRemixResponse does, but
 * waits for the socket to drain between chunks: a long streamed body (the
 * audit export) is then produced as fast as the client reads it, instead of
 * piling up in memory. A client that goes away cancels the body's stream.
 */
async function sendResponse(res: Response, response: globalThis.Response) {
  res.statusMessage = response.statusText
  res.status(response.status)
  for (const [name, value] of response.headers.entries()) res.append(name, value)
  if (/text\/event-stream/i.test(response.headers.get('Content-Type') ?? '')) res.flushHeaders()
  if (!response.body) return void res.end()
  const reader = response.body.getReader()
  // The body learns of a closed connection here, at once: request.signal is no
  // witness (undici's Request follows the adapter's signal through a WeakRef,
  // lost when collected), and an idle stream would only notice at its next write.
  const cancel = () => void reader.cancel().catch(() => {})
  res.once('close', cancel)
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (!res.write(value)) await drained(res)
    }
    if (!res.destroyed) res.end()
  } catch (error) {
    res.destroy(error as Error)
    throw error
  }
}

/** Resolves when the response can take more, or has closed. */
function drained(res: Response) {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}

export function remixHandler(build: ServerBuild, config: Config) {
  const handleRequest = createRequestHandler(build, config.NODE_ENV)
  // The API's resource routes (modules without UI), and the pages.
  const routes = compileRoutes(build, (route, path) => isApiPath(`/${path}`) && !route.module.default)
  const pages = compileRoutes(build, (_route, path) => !isApiPath(`/${path}`))

  /** An API request, answered by its resource route's loader (GET, HEAD) or action. */
  async function answerApi(request: globalThis.Request, pathname: string, context: AppLoadContext) {
    const matched = match(routes, pathname)
    const handler = matched && (request.method === 'GET' || request.method === 'HEAD' ? matched.route.loader : matched.route.action)
    if (!matched || !handler) return null
    identify(context, { routeId: matched.route.id })
    try {
      return (await handler({ request, params: matched.params, context })) as globalThis.Response
    } catch (thrown) {
      if (thrown instanceof globalThis.Response) return thrown
      throw thrown
    }
  }

  return async (req: Request, res: Response, next: NextFunction) => {
    const context = res.locals.context
    try {
      const request = createRemixRequest(req, res)
      const api = isApiPath(req.path)
      if (!api) identify(context, { routeId: pageRouteId(pages, req) })
      const response = (api && (await answerApi(request, req.path, context))) || (await handleRequest(request, context))
      await context.database.finish()
      if (response.status >= 500 && (await answerReplicaFailure(req, res, config))) return
      await leaveWritePosition(req, res, config)
      await sendResponse(res, response)
    } catch (error) {
      await context.database.abort()
      if (await answerReplicaFailure(req, res, config)) return
      next(error)
    }
  }
}
