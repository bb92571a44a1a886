/** Accept-Encoding negotiation: RFC 9110 §12.5.3 rules, q-values, `*` and identity. */
import { describe, expect, it } from 'vitest'

import { negotiateEncoding } from 'pulsar-ts'

const OFFERED = ['br', 'gzip', 'deflate']

describe('negotiateEncoding', () => {
  it.each([
    // [Accept-Encoding, expected answer]
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip', 'gzip'],
    ['x-gzip', 'gzip'],
    ['GZIP', 'gzip'],
    ['deflate', 'deflate'],
    ['gzip, deflate, br', 'br'],
    ['deflate, gzip', 'gzip'],
    ['br;q=0.1, gzip;q=0.9', 'gzip'],
    ['gzip;q=0, deflate', 'deflate'],
    ['gzip;q=0', 'identity'],
    ['gzip;q=0.5', 'gzip'],
    ['gzip;q=0.5, identity', 'identity'],
    ['gzip;q=0.5, identity;q=0.5', 'gzip'],
    ['*', 'br'],
    ['*;q=0.5, gzip', 'gzip'],
    ['br;q=0, *', 'gzip'],
    ['compress, zstd', 'identity'],
    ['identity', 'identity'],
    ['gzip, identity;q=0', 'gzip'],
    ['*;q=0, gzip', 'gzip'],
    ['identity;q=0', undefined],
    ['*;q=0', undefined],
    ['*;q=0, identity;q=0.1', 'identity'],
    ['zstd, identity;q=0', undefined],
    ['gzip;q=0, identity;q=0', undefined],
    ['gzip;q=abc', 'identity'],
  ])('answers %j with %j', (header, expected) => {
    expect(negotiateEncoding(header, OFFERED)).toBe(expected)
  })

  it('follows the offered order on ties, and offers only what it has', () => {
    expect(negotiateEncoding('br, gzip', ['gzip', 'br'])).toBe('gzip')
    expect(negotiateEncoding('br', ['gzip'])).toBe('identity')
    expect(negotiateEncoding('br, identity;q=0', ['gzip'])).toBeUndefined()
    expect(negotiateEncoding('gzip', [])).toBe('identity')
  })
})
