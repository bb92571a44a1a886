/** Redis glob patterns as regular expressions (the same cases run against a real Redis in redis.test.ts). */
import { describe, expect, it } from 'vitest'

import { globToRegExp } from '../../src/pubsub/glob.js'
import { globCases } from './glob-cases.js'

describe('Redis glob patterns', () => {
  it.each(globCases)('%s', (pattern, matches, misses) => {
    const regexp = globToRegExp(pattern)
    for (const channel of matches) expect(regexp.test(channel), channel).toBe(true)
    for (const channel of misses) expect(regexp.test(channel), channel).toBe(false)
  })
})
