import { z } from 'zod'

export const SORTS = ['name', 'recent'] as const
export type Sort = (typeof SORTS)[number]

const ListQuery = z.object({
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
  sort: z.enum(SORTS).catch('name'),
})
export type ListQuery = z.infer<typeof ListQuery> & { pageSize: number }

/** `?page=&sort=` from a URL; anything malformed falls back to the first page by name. */
export function parseListQuery(url: URL | string, pageSize: number): ListQuery {
  const params = new URL(url).searchParams
  return { ...ListQuery.parse({ page: params.get('page') ?? undefined, sort: params.get('sort') ?? undefined }), pageSize }
}

export interface Page<T> {
  items: readonly T[]
  total: number
  page: number
  pageCount: number
}

export function toPage<T>(items: readonly T[], total: number, query: ListQuery): Page<T> {
  return { items, total, page: query.page, pageCount: Math.max(1, Math.ceil(total / query.pageSize)) }
}
