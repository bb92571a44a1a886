/** HTTP-dates: the three forms of RFC 9110 §5.6.7, and nothing else. */
import { describe, expect, it } from 'vitest'

import { parseHttpDate } from '../../src/wsgi/http-date.js'

const NOV_6_1994 = Date.UTC(1994, 10, 6, 8, 49, 37)

describe('parseHttpDate', () => {
  it.each([
    ['Sun, 06 Nov 1994 08:49:37 GMT', NOV_6_1994],
    ['Sunday, 06-Nov-94 08:49:37 GMT', NOV_6_1994],
    ['Sun Nov  6 08:49:37 1994', NOV_6_1994],
    ['Thu, 01 Jan 1970 00:00:00 GMT', 0],
    ['Tue, 29 Feb 2000 12:00:00 GMT', Date.UTC(2000, 1, 29, 12)],
  ])('reads %j', (text, time) => {
    expect(parseHttpDate(text)).toBe(time)
  })

  it.each([
    '99999',
    '2999',
    '3000-01-01',
    '1994-11-06T08:49:37Z',
    'Sun, 6 Nov 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 08:49:37 UTC',
    'Sun, 06 Nov 1994 08:49:37 +0000',
    'sun, 06 nov 1994 08:49:37 GMT',
    'Sun, 31 Feb 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 24:00:00 GMT',
    'Sun, 06 Nov 1994 08:60:00 GMT',
    ' Sun, 06 Nov 1994 08:49:37 GMT',
    'Sunday, 06-Nov-1994 08:49:37 GMT',
    '',
  ])('ignores %j', (text) => {
    expect(parseHttpDate(text)).toBeUndefined()
  })

  it('reads a two-digit year more than 50 years ahead as the past century', () => {
    const year = new Date().getUTCFullYear()
    const ahead = (year + 60) % 100
    const text = `Monday, 01-Jan-${String(ahead).padStart(2, '0')} 00:00:00 GMT`
    expect(new Date(parseHttpDate(text)!).getUTCFullYear()).toBe(year + 60 - 100)
  })
})
