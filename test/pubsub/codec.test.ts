/** How messages are encoded: the types that round-trip, the Redis wire form, and what is refused. */
import { describe, expect, it } from 'vitest'

import { decode, encode, fromIpc, fromRedis, toIpc, toRedis } from '../../src/pubsub/codec.js'
import type { Message } from '../../src/pubsub/types.js'

const roundTrips: [string, Message][] = [
  ['a string', 'hello'],
  ['an empty string', ''],
  ['a string that starts with NUL', '\u0000sneaky'],
  ['unicode text', 'héllo ✓ 日本'],
  ['a number', 42.5],
  ['null', null],
  ['a boolean', false],
  ['an array', [1, 'two', { three: 3 }]],
  ['an object', { message: 'hi', time: 1234, nested: { list: [true, null] } }],
]

describe('the message codec', () => {
  it.each(roundTrips)('round-trips %s through Redis and IPC', (_, message) => {
    const packet = encode(message)
    const wire = toRedis(packet)
    const fromWire = fromRedis(Buffer.isBuffer(wire) ? wire : Buffer.from(wire))
    expect(decode(fromWire)).toStrictEqual(message)
    expect(decode(fromIpc(JSON.parse(JSON.stringify(toIpc(packet))))!)).toStrictEqual(message)
  })

  it('keeps bytes as bytes, invalid UTF-8 included, and copies them at publish time', () => {
    const bytes = new Uint8Array([0, 0xff, 0xfe, 0x61])
    const packet = encode(bytes)
    bytes[0] = 9
    for (const back of [
      fromRedis(toRedis(packet) as Buffer),
      fromIpc(JSON.parse(JSON.stringify(toIpc(packet))))!,
    ]) {
      const message = decode(back)
      expect(Buffer.isBuffer(message)).toBe(true)
      expect([...(message as Buffer)]).toEqual([0, 0xff, 0xfe, 0x61])
    }
  })

  it('publishes a plain string to Redis as its UTF-8 bytes, readable by any client', () => {
    expect(toRedis(encode('hello'))).toBe('hello')
    expect(toRedis(encode({ a: 1 }))).toEqual(Buffer.from('\u0000j{"a":1}'))
    expect(toRedis(encode(Buffer.from('x')))).toEqual(Buffer.from('\u0000bx'))
    expect(toRedis(encode('\u0000x'))).toEqual(Buffer.from('\u0000s\u0000x'))
  })

  it('reads what other Redis clients publish: UTF-8 as text, anything else as bytes', () => {
    expect(decode(fromRedis(Buffer.from('{"not":"parsed"}')))).toBe('{"not":"parsed"}')
    const binary = decode(fromRedis(Buffer.from([0xc3, 0x28])))
    expect(Buffer.isBuffer(binary)).toBe(true)
    // a NUL with an unknown tag is not ours either
    expect(decode(fromRedis(Buffer.from('\u0000zoo')))).toBe('\u0000zoo')
  })

  it('refuses what is not a message', () => {
    expect(() => encode(undefined as unknown as Message)).toThrow(TypeError)
    expect(() => encode((() => 1) as unknown as Message)).toThrow(TypeError)
    expect(() => encode(10n as unknown as Message)).toThrow(TypeError)
    expect(() => encode(new ArrayBuffer(2) as unknown as Message)).toThrow(/Uint8Array/)
    expect(() => encode(new Uint16Array(2) as unknown as Message)).toThrow(/Uint8Array/)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => encode(cyclic as Message)).toThrow(TypeError)
  })

  it('ignores IPC messages that are not packets', () => {
    expect(fromIpc(null)).toBeUndefined()
    expect(fromIpc({ kind: 'text' })).toBeUndefined()
    expect(fromIpc({ kind: 'other', data: 'x' })).toBeUndefined()
  })
})
