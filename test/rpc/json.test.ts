/** The scan of a message's text for its numeric ids, against JSON.parse on generated messages; exactJson. */
import { describe, expect, it } from 'vitest'

import { TOO_DEEP, exactJson, scanMessage } from '../../src/rpc/json.js'

/** A small seeded generator (mulberry32): the same messages on every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const NUMBERS = [
  '0',
  '-0',
  '1',
  '1.0',
  '1E2',
  '1e400',
  '-1e-400',
  '12345678901234567890123',
  '2.50',
]
const STRINGS = ['"id"', '"x"', '"\\"id\\":1"', '"[{"', '"\\\\"', '"}]\\u0022"']
const ID_KEYS = ['"id"', '"\\u0069d"', '"i\\u0064"', '"\\u0069\\u0064"']
const OTHER_KEYS = ['"jsonrpc"', '"method"', '"params"', '"ids"', '"i"', '"\\u0069"', '"idd"']

describe('scanMessage', () => {
  it('finds the text of the numeric id JSON.parse keeps, in 2000 generated messages', () => {
    const next = random(12)
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!
    const space = () => pick(['', ' ', '\n\t ', '\r\n'])
    const scalar = () => (next() < 0.5 ? pick(NUMBERS) : pick(STRINGS))
    // a value at any depth, with "id" keys of its own: never the call's
    const value = (depth: number): string => {
      const roll = next()
      if (depth > 3 || roll < 0.4) return scalar()
      if (roll < 0.7) return `[${Array.from({ length: 3 }, () => value(depth + 1)).join(',')}]`
      return `{${[pick(ID_KEYS), pick(OTHER_KEYS)].map((key) => `${key}:${space()}${value(depth + 1)}`).join(',')}}`
    }
    const call = (): { text: string; id: string | undefined } => {
      const members: [string, string][] = [
        ['"jsonrpc"', '"2.0"'],
        ['"method"', pick(['"add"', '"id"'])],
        ['"params"', value(1)],
        [pick(['"ids"', '"i"', '"\\u0069"', '"idd"', '"\\u0069dd"']), pick(NUMBERS)],
      ]
      let id: string | undefined
      for (let n = Math.floor(next() * 3); n > 0; n--) {
        const member = next() < 0.7 ? pick(NUMBERS) : pick([...STRINGS, 'null', '{"id":1}', '[1]'])
        members.splice(Math.floor(next() * (members.length + 1)), 0, [pick(ID_KEYS), member])
      }
      for (const [key, member] of members) if (ID_KEYS.includes(key)) id = member
      const text = members.map(([key, member]) => `${space()}${key}${space()}:${space()}${member}`)
      return {
        text: `{${text.join(',')}${space()}}`,
        id: id && NUMBERS.includes(id) ? id : undefined,
      }
    }
    for (let round = 0; round < 2000; round++) {
      const batch = next() < 0.5
      const calls = Array.from({ length: batch ? 1 + Math.floor(next() * 4) : 1 }, call)
      const items = calls.map(({ text }) => text)
      const text = batch ? `${space()}[${items.join(`,${space()}`)}]` : items[0]!
      const parsed = JSON.parse(text) as { id?: unknown } | { id?: unknown }[]
      const ids = scanMessage(text, 64)
      expect(ids).not.toBe(TOO_DEEP)
      calls.forEach(({ id }, index) => {
        expect([text, (ids as (string | undefined)[])[index]]).toEqual([text, id])
        const parsedId = (Array.isArray(parsed) ? parsed[index]! : parsed).id
        if (id !== undefined) expect(Number(id)).toBe(parsedId)
      })
    }
  })

  it('finds no id outside calls, nor in a string value "id"', () => {
    expect(scanMessage('[[{"id":1}],{"id":2}]', 64)).toEqual([undefined, '2'])
    expect(scanMessage('{"method":"id","x":{"id":3}}', 64)).toEqual([undefined])
    expect(scanMessage('{"a":"id" , "id":-0}', 64)).toEqual(['-0'])
  })

  it('answers TOO_DEEP past the limit, however the message is made', () => {
    expect(scanMessage('{"params":[[[]]],"id":1}', 3)).toBe(TOO_DEEP)
    expect(scanMessage('{"params":[["]]]]]"]],"id":1}', 4)).toEqual(['1'])
  })
})

describe('exactJson', () => {
  it('writes what JSON.stringify writes when JSON can express it', () => {
    const values = [null, 0, -1.5, 'null', [null, 'x'], { a: null, b: [1, { c: 'NaN' }] }]
    for (const value of values) expect(exactJson(value)).toBe(JSON.stringify(value))
    // JSON.stringify's own rules for nested holes, and a Date's toJSON
    expect(exactJson([undefined, () => 1, { a: undefined }])).toBe('[null,null,{}]')
    expect(exactJson({ when: new Date(Number.NaN) })).toBe('{"when":null}')
    expect(exactJson({ toJSON: (key: string) => `key ${key}` })).toBe('"key "')
  })

  it('throws on non-finite numbers wherever they hide, and on what JSON drops at the top', () => {
    const hidden = [
      NaN,
      [null, -Infinity],
      { a: null, b: { c: [new Number(Infinity)] } },
      { a: null, b: { toJSON: () => NaN } },
      [null, { toJSON: () => ({ deeper: [NaN] }) }],
      () => 1,
      Symbol('s'),
      { toJSON: () => undefined },
      undefined,
    ]
    for (const value of hidden) expect(() => exactJson(value)).toThrow(TypeError)
  })
})
