/** Filters of a list page, read from its URL (`?name=value`), as a GET form sends them. */
import type { z } from 'zod'

export type FilterValues<K extends string> = Record<K, string>
export type FilterErrors<K extends string> = Partial<Record<K, string[]>>

/** The filters exactly as typed in the URL, for the form to show again. */
export function filterValues<K extends string>(url: URL, keys: readonly K[]): FilterValues<K> {
  return Object.fromEntries(keys.map((key) => [key, url.searchParams.get(key)?.trim() ?? ''])) as FilterValues<K>
}

/** The filters that were filled in: an empty field means "any", not an invalid value. */
export function givenFilters<K extends string>(values: FilterValues<K>): Partial<FilterValues<K>> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== '')) as Partial<FilterValues<K>>
}

/** The filters as typed (for the form) and as `schema` reads the filled ones: a value, or the fields' errors. */
export function readFilters<K extends string, S extends z.ZodTypeAny>(url: URL, keys: readonly K[], schema: S) {
  const values = filterValues(url, keys)
  const parsed = schema.safeParse(givenFilters(values)) as z.SafeParseReturnType<unknown, z.infer<S>>
  const errors: FilterErrors<K> = parsed.success ? {} : (parsed.error.flatten().fieldErrors as FilterErrors<K>)
  return { values, filters: parsed.success ? parsed.data : null, errors }
}
