/**
 * zod with `.openapi()`, for the schemas that name themselves in the OpenAPI
 * document. Importing z from here guarantees the extension runs first.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi'
import { z } from 'zod'

extendZodWithOpenApi(z)

export { z }
