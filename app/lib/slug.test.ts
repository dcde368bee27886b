import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { isSlug, slugCandidates, slugify } from './slug'

describe('slugs', () => {
  test('whatever the name, its slug and the slugs tried after it are slugs that can be looked up', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (name) => {
        const candidates = slugCandidates(slugify(name))
        for (let i = 0; i < 3; i++) expect(isSlug(candidates.next().value!)).toBe(true)
      }),
      { numRuns: 2000, seed: 7 },
    )
    expect(slugify('Café Ramen: ラーメン 東京')).toBe('cafe-ramen-ラーメン-東京')
  })

  test('URL segments that cannot name anything are not slugs', () => {
    for (const segment of ['', 'a\u0000b', 'ACME', 'a--b', '-a', 'a/b', '../x', 'x'.repeat(65)]) expect(isSlug(segment), segment).toBe(false)
  })
})
