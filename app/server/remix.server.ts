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
import { createRemixRequest, sendRemixResponse } from '@remix-run/express/dist/server.js'
import type { AppLoadContext, LoaderFunction, ServerBuild } from '@remix-run/node'
import { createRequestHandler } from '@remix-run/node'
// The adapter's own request and response conversions (exported by its server module, typed there).
import type { NextFunction, Request, Response } from 'express'
import { isApiPath } from '~/lib/paths'

interface ApiRoute {
  pattern: RegExp
  params: string[]
  score: number
  loader?: LoaderFunction
  action?: LoaderFunction
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A resource route's path as a pattern; static segments outrank dynamic ones, a splat comes last. */
function compile(path: string, module: { loader?: LoaderFunction; action?: LoaderFunction }): ApiRoute {
  const params: string[] = []
  let score = 0
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
  return { pattern: new RegExp(`^/${source}/?$`, 'i'), params, score, loader: module.loader, action: module.action }
}

/** A route's whole path: nested routes (`api.organizations.$orgId` under `api.organizations`) add to their parent's. */
function fullPath(build: ServerBuild, id: string): string {
  const route = build.routes[id]!
  const parent = route.parentId && route.parentId !== 'root' ? fullPath(build, route.parentId) : ''
  return [parent, route.path ?? ''].filter(Boolean).join('/')
}

/** The API's resource routes (modules without UI), best match first. */
function apiRoutes(build: ServerBuild): ApiRoute[] {
  return Object.values(build.routes)
    .map((route) => ({ route, path: fullPath(build, route.id) }))
    .filter(({ route, path }) => isApiPath(`/${path}`) && !route.module.default)
    .map(({ route, path }) => compile(path, route.module as { loader?: LoaderFunction; action?: LoaderFunction }))
    .sort((a, b) => b.score - a.score)
}

function matchApi(routes: ApiRoute[], pathname: string) {
  for (const route of routes) {
    const found = route.pattern.exec(pathname)
    if (!found) continue
    const params = Object.fromEntries(route.params.map((name, i) => [name, decodeURIComponent(found[i + 1]!)]))
    return { route, params }
  }
  return null
}

export function remixHandler(build: ServerBuild, mode: string) {
  const handleRequest = createRequestHandler(build, mode)
  const routes = apiRoutes(build)

  /** An API request, answered by its resource route's loader (GET, HEAD) or action. */
  async function answerApi(request: globalThis.Request, pathname: string, context: AppLoadContext) {
    const matched = matchApi(routes, pathname)
    const handler = matched && (request.method === 'GET' || request.method === 'HEAD' ? matched.route.loader : matched.route.action)
    if (!matched || !handler) return null
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
      const response = (isApiPath(req.path) && (await answerApi(request, req.path, context))) || (await handleRequest(request, context))
      await context.database.finish()
      await sendRemixResponse(res, response)
    } catch (error) {
      await context.database.abort()
      next(error)
    }
  }
}
