/**
 * How a message travels: encoded once when it is published, decoded once per
 * receiving process. On Redis a string goes as its UTF-8 bytes, so other
 * Redis clients read and write it as is; bytes and JSON values carry a
 * two-byte tag (docs/pubsub.md, "Encoding").
 * @module
 */
import { isUtf8 } from 'node:buffer'

import type { Publication } from '../process/messages.js'
import type { Message } from './types.js'

/** A message encoded: text, JSON text, or bytes. */
export type Packet =
  { kind: 'text'; data: string } | { kind: 'json'; data: string } | { kind: 'bytes'; data: Buffer }

/** A packet as IPC carries it (node:cluster's JSON serialisation): bytes in base64. */
export type IpcPacket = Pick<Publication, 'kind' | 'data'>

/** Encodes a message; throws a TypeError for a value that is not one. */
export function encode(message: Message): Packet {
  if (typeof message === 'string') return { kind: 'text', data: message }
  if (message instanceof Uint8Array) return { kind: 'bytes', data: Buffer.from(message) }
  if (ArrayBuffer.isView(message) || message instanceof ArrayBuffer)
    throw new TypeError('Publish bytes as a Uint8Array (or a Buffer)')
  const data = JSON.stringify(message) as string | undefined
  if (data === undefined) throw new TypeError(`Cannot publish ${typeof message} (not a JSON value)`)
  return { kind: 'json', data }
}

/** The message a packet holds. */
export function decode(packet: Packet): Message {
  if (packet.kind === 'json') return JSON.parse(packet.data) as Message
  return packet.data
}

// a leading NUL marks a tagged payload; the next byte says what follows
const TAG = 0
const TEXT = 0x73 // 's'
const JSON_TEXT = 0x6a // 'j'
const BYTES = 0x62 // 'b'

/** The payload published on Redis. */
export function toRedis(packet: Packet): string | Buffer {
  if (packet.kind === 'text' && packet.data.charCodeAt(0) !== TAG) return packet.data
  const tag = packet.kind === 'text' ? TEXT : packet.kind === 'json' ? JSON_TEXT : BYTES
  const body = typeof packet.data === 'string' ? Buffer.from(packet.data) : packet.data
  return Buffer.concat([Buffer.from([TAG, tag]), body])
}

/**
 * The packet a Redis payload holds. An untagged payload (published by
 * another client) is text when it is valid UTF-8, else bytes.
 */
export function fromRedis(payload: Buffer): Packet {
  if (payload.length >= 2 && payload[0] === TAG) {
    const body = payload.subarray(2)
    if (payload[1] === TEXT) return { kind: 'text', data: body.toString() }
    if (payload[1] === JSON_TEXT) return { kind: 'json', data: body.toString() }
    if (payload[1] === BYTES) return { kind: 'bytes', data: body }
  }
  return isUtf8(payload)
    ? { kind: 'text', data: payload.toString() }
    : { kind: 'bytes', data: payload }
}

/** The packet in the form IPC carries. */
export function toIpc(packet: Packet): IpcPacket {
  return packet.kind === 'bytes'
    ? { kind: 'bytes', data: packet.data.toString('base64') }
    : { kind: packet.kind, data: packet.data }
}

/** The packet an IPC message carries; `undefined` when it is not one. */
export function fromIpc(value: unknown): Packet | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { kind, data } = value as Partial<IpcPacket>
  if (typeof data !== 'string') return undefined
  if (kind === 'bytes') return { kind, data: Buffer.from(data, 'base64') }
  return kind === 'text' || kind === 'json' ? { kind, data } : undefined
}
