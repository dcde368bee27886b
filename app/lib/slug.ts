/**
 * A URL slug from a human name: accents folded (Café → cafe), letters of any
 * script kept (東京 stays 東京), everything else collapsed to single hyphens.
 */
export function slugify(name: string, fallback = 'item'): string {
  const slug = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    // What SLUG_PATTERN accepts; a capital with no lower case becomes a separator.
    .replace(/[^\p{Ll}\p{Lm}\p{Lo}\p{N}]+/gu, '-')
    .slice(0, 60)
    .replace(/^-+|-+$/g, '')
  return slug || fallback
}

export const SLUG_PATTERN = /^[\p{Ll}\p{Lm}\p{Lo}\p{N}]+(?:-[\p{Ll}\p{Lm}\p{Lo}\p{N}]+)*$/u

/** Could this URL segment name anything? What cannot is not looked up at all (a NUL would not even reach the database). */
export const isSlug = (value: string) => value.length <= 64 && SLUG_PATTERN.test(value)

/** `base`, then `base-2`, `base-3`…: candidates for a slug that must be unique. */
export function* slugCandidates(base: string): Generator<string> {
  yield base
  for (let n = 2; ; n++) yield `${base.slice(0, 60)}-${n}`
}
