/**
 * One API resource route: a handler per HTTP method, with the envelope for
 * every failure. Remix sends GET and HEAD to the loader and the rest to the
 * action; both dispatch here, so a method the resource lacks is a 405 with
 * Allow, never a Remix error page.
 *
 * A route writes `const { loader, action } = apiRoute({…})` and then
 * `export { loader, action }`: the build drops listed server exports from the
 * browser bundle, but not destructured ones.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { recordRequestError } from '~/access/tenant.server'
import { refusal } from '~/lib/errors'
import { toErrorResponse } from './envelope.server'

export const API_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const
export type ApiMethod = (typeof API_METHODS)[number]

export type ApiArgs = LoaderFunctionArgs
export type ApiHandler = (args: ApiArgs) => Promise<Response>

export function apiRoute(handlers: Partial<Record<ApiMethod, ApiHandler>>) {
  const allowed = [...API_METHODS.filter((method) => handlers[method]), ...(handlers.GET ? ['HEAD'] : [])]
  const allow = allowed.join(', ')

  async function dispatch(args: ApiArgs | ActionFunctionArgs): Promise<Response> {
    const method = args.request.method === 'HEAD' ? 'GET' : args.request.method
    const handler = handlers[method as ApiMethod]
    try {
      if (!handler) {
        throw refusal('METHOD_NOT_ALLOWED', `${args.request.method} is not allowed here; use ${allow}`, {
          details: { allowed },
          headers: { Allow: allow },
        })
      }
      return await handler(args)
    } catch (thrown) {
      const response = await toErrorResponse(args.context, thrown)
      if (response.status >= 500) await recordRequestError(args.context, args.request)
      return response
    }
  }
  return { loader: dispatch, action: dispatch }
}
