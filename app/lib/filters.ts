/** Filters of a list page, read from its URL (`?name=value`), as a GET form sends them. */

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
