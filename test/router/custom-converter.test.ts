/** A converter of one's own: registered by name, typed through ConverterTypes, matched and built like the others. */
import { describe, expect, it } from 'vitest'

import { WsgiHandler } from 'pulsar-ts'
import { type ConverterFactory, Router, addConverter, converters } from 'pulsar-ts/router'

import { serve } from '../helpers/listen.js'

declare module 'pulsar-ts/router' {
  interface ConverterTypes {
    isodate: Date
  }
}

/** `<isodate:day>`: a YYYY-MM-DD calendar date, as a Date at midnight UTC. */
const isodate: ConverterFactory<Date> = () => ({
  name: 'isodate',
  rest: false,
  toValue(text) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined
    const day = new Date(`${text}T00:00:00Z`)
    return day.toISOString().startsWith(text) ? day : undefined
  },
  toUrl(value) {
    if (!(value instanceof Date)) throw new TypeError(`${String(value)} is not a Date`)
    return value.toISOString().slice(0, 10)
  },
})
addConverter('isodate', isodate)

describe('addConverter', () => {
  it('serves rules that name the converter, with its values typed', async () => {
    const days = new Router('/days/<isodate:day>', {
      get: (request) => ({ weekday: request.urlargs.day.getUTCDay() }),
    })
    const { url } = await serve(new WsgiHandler([days]))
    expect(await (await fetch(new URL('/days/2026-01-01', url))).json()).toEqual({ weekday: 4 })
    // text the converter refuses is the route's 404
    expect((await fetch(new URL('/days/2026-02-30', url))).status).toBe(404)
    expect(days.path({ day: new Date(Date.UTC(2026, 4, 1)) })).toBe('/days/2026-05-01')
  })

  it('refuses a name that is taken or malformed, and a factory that is not one', () => {
    expect(() => addConverter('isodate', isodate)).toThrow(/already/)
    expect(() => addConverter('int', isodate as never)).toThrow(/already/)
    expect(() => addConverter('my-date', isodate as never)).toThrow(/no converter name/)
    expect(() => addConverter('thing', 5 as never)).toThrow(/is a function/)
    expect(Object.keys(converters)).not.toContain('isodate')
  })

  it('refuses, when the rule is made, a converter that makes no converter', () => {
    addConverter('broken', (() => ({})) as never)
    expect(() => new Router('/<broken:x>')).toThrow(/has no toValue\(\) and toUrl\(\)/)
  })
})
