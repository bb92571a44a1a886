/** Accept-style headers: entries best first, ties in the order written, what a malformed part gives. */
import { describe, expect, it } from 'vitest'

import { parseAccept } from 'pulsar-ts'

describe('parseAccept', () => {
  it('puts entries best first, ties in the order written', () => {
    expect(parseAccept('text/plain;q=0.5, text/html, application/json;q=0.5, */*;q=0.1')).toEqual([
      { value: 'text/html', q: 1 },
      { value: 'text/plain', q: 0.5 },
      { value: 'application/json', q: 0.5 },
      { value: '*/*', q: 0.1 },
    ])
  })

  it('reads q among other parameters, case-insensitively; the last q counts', () => {
    expect(parseAccept('Text/HTML; level=1; Q=0.7, a/b;q=0.2;q=0.9')).toEqual([
      { value: 'a/b', q: 0.9 },
      { value: 'text/html', q: 0.7 },
    ])
  })

  it('clamps q to [0, 1], takes a malformed one as 0, and skips empty parts', () => {
    expect(parseAccept(',, gzip;q=2 ,;q=1, br;q=-1, deflate;q=abc, zstd;q, x;q=0.5=3,')).toEqual([
      { value: 'gzip', q: 1 },
      { value: 'zstd', q: 1 },
      { value: 'x', q: 0.5 },
      { value: 'br', q: 0 },
      { value: 'deflate', q: 0 },
    ])
    expect(parseAccept('')).toEqual([])
    expect(parseAccept(undefined)).toEqual([])
    expect(parseAccept(' ; , ')).toEqual([])
  })

  it('reads every entry of a header as long as a request head may be', () => {
    const many = parseAccept('a/b,'.repeat(3000) + 'c/d;q=0.5,'.repeat(1000) + 'e/f')
    expect(many).toHaveLength(4001)
    expect(many[0]).toEqual({ value: 'a/b', q: 1 })
    expect(many[3000]).toEqual({ value: 'e/f', q: 1 })
    expect(many[3001]).toEqual({ value: 'c/d', q: 0.5 })
  })
})
