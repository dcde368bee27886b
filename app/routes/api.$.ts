import { apiRoute, API_METHODS, type ApiHandler } from '~/api/route.server'
import { notFound } from '~/lib/errors'

/** Every path under /api that no route claims: a 404 in the API's envelope, whatever the method. */
const unknown: ApiHandler = async ({ request }) => {
  throw notFound(`No API route matches ${request.method} ${new URL(request.url).pathname}`)
}

const { loader, action } = apiRoute(Object.fromEntries(API_METHODS.map((method) => [method, unknown])))
export { loader, action }
