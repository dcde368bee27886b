import { openApiDocument } from '~/api/openapi.server'
import { apiRoute } from '~/api/route.server'

const { loader, action } = apiRoute({
  /** The OpenAPI 3.1 document of this API; public, like the reference page built from it. */
  async GET() {
    return new Response(JSON.stringify(openApiDocument()), {
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'public, max-age=300' },
    })
  },
})
export { loader, action }
