/**
 * `?page=&pageSize=&sort=` on API lists, and the meta and links that answer
 * them. Unlike the pages (which fall back to page one), a malformed query is
 * a 400 that says which parameter is wrong.
 */
import { z } from 'zod'
import { refusal } from '~/lib/errors'
import { SORTS, toPage, type ListQuery, type Page, type Sort } from '~/lib/pagination'
import { fieldErrors } from './body.server'
import { apiData, type Links, type Meta } from './envelope.server'

export const DEFAULT_PAGE_SIZE = 20
export const MAX_PAGE_SIZE = 100

/**
 * page, pageSize and sort (the first sort is the default), plus the list's own
 * filters if it has any: what the API parses and the OpenAPI document lists.
 */
export function listQuerySchema<F extends z.AnyZodObject = z.ZodObject<z.ZodRawShape>>(sorts: readonly [Sort, ...Sort[]] = SORTS, filters?: F) {
  const paging = z.object({
    page: z.coerce.number().int().min(1).max(10_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE, `Use at most ${MAX_PAGE_SIZE}`).default(DEFAULT_PAGE_SIZE),
    sort: z.enum(sorts).default(sorts[0]),
  })
  return filters ? paging.merge(filters) : paging
}

/** The list query, with only the sort orders this list supports and its filters. */
export function parseApiListQuery<F extends z.AnyZodObject = z.ZodObject<z.ZodRawShape>>(
  request: Request,
  sorts?: readonly [Sort, ...Sort[]],
  filters?: F,
): ListQuery & z.output<F> {
  return parseApiQuery(request, listQuerySchema(sorts, filters)) as ListQuery & z.output<F>
}

/** A query string that is not a list's: its schema's output, or a 400 naming each bad parameter. */
export function parseApiQuery<S extends z.AnyZodObject>(request: Request, schema: S): z.output<S> {
  const params = new URL(request.url).searchParams
  const raw = Object.fromEntries(Object.keys(schema.shape).flatMap((key) => (params.has(key) ? [[key, params.get(key)]] : [])))
  const result = schema.safeParse(raw)
  if (!result.success) throw invalidQuery(fieldErrors(result.error))
  return result.data
}

export const invalidQuery = (details: Record<string, string[]>) => refusal('INVALID_QUERY', 'The query string is not valid', { details })

/** The same list at another page, as a path the client can follow as is. */
function linkTo(request: Request, page: number) {
  const url = new URL(request.url)
  url.searchParams.set('page', String(page))
  return `${url.pathname}${url.search}`
}

/** One page of a list: `data`, `meta` (total, page, pageSize) and `links` (self, next, prev). */
export function apiPage<T>(request: Request, page: Page<T>, query: ListQuery, present: (item: T) => unknown = (item) => item) {
  const meta: Meta = { total: page.total, page: page.page, pageSize: query.pageSize }
  const links: Links = { self: linkTo(request, page.page) }
  if (page.page < page.pageCount) links.next = linkTo(request, page.page + 1)
  if (page.page > 1) links.prev = linkTo(request, Math.min(page.page - 1, page.pageCount))
  return apiData(page.items.map(present), { meta, links })
}

/** One page of a list the model reads whole (an organization has few of them: roles, one member's grants, pending invitations). */
export function apiSlice<T>(request: Request, items: readonly T[], query: ListQuery, present: (item: T) => unknown = (item) => item) {
  const start = (query.page - 1) * query.pageSize
  return apiPage(request, toPage(items.slice(start, start + query.pageSize), items.length, query), query, present)
}
