/**
 * A raw WebSocket client that speaks permessage-deflate by hand (node:zlib),
 * so that a test can check what the server does against what it agreed to:
 * the server's messages are inflated with exactly the window and context
 * the 101 announced, and the client compresses with the largest it allows.
 */
import { randomBytes } from 'node:crypto'
import {
  type DeflateRaw,
  type InflateRaw,
  constants,
  createDeflateRaw,
  createInflateRaw,
} from 'node:zlib'

import { RawClient, parseResponse } from './raw.js'
import { frame, handshakeRequest } from './ws.js'

// RFC 7692 §7.2.1: the tail a sync flush ends with, dropped on the wire
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff])

/**
 * Bytes that compress only with a large enough window: random blocks each
 * repeated once, at distances of 400 bytes to 25 KiB. Inflated 64 bytes at a
 * time, a stream that used a window larger than the inflater's fails.
 */
export function windowProbe(): Buffer {
  const blocks = [400, 800, 1600, 3200, 6400, 12800, 25600].map((size) => randomBytes(size))
  return Buffer.concat(blocks.flatMap((block) => [block, block]))
}

/** The parameters of a `Sec-WebSocket-Extensions` answer (one extension). */
function parseAnswer(header: string): Record<string, string | true> {
  const [, ...params] = header.split(';').map((part) => part.trim())
  return Object.fromEntries(
    params.map((param) => {
      const [name, value] = param.split('=')
      return [name!, value ?? true]
    }),
  )
}

/** Runs `data` through a zlib stream and flushes it (sync flush for a deflater). */
function pass(stream: DeflateRaw | InflateRaw, data: Buffer, flush?: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const collect = (chunk: Buffer) => chunks.push(chunk)
    stream.on('data', collect)
    stream.once('error', reject)
    stream.write(data)
    const done = () => {
      stream.off('data', collect)
      stream.off('error', reject)
      resolve(Buffer.concat(chunks))
    }
    if (flush === undefined) stream.flush(done)
    else stream.flush(flush, done)
  })
}

/** A message the server sent: whether its frame had RSV1 (compressed), and its inflated bytes. */
export interface DeflatedMessage {
  compressed: boolean
  data: Buffer
}

/** A raw client whose handshake offers `offer`, then sends and receives binary messages. */
export class DeflateClient {
  readonly raw: RawClient
  /** The answer's `Sec-WebSocket-Extensions`, if any. */
  readonly answer: string | undefined
  /** Its parameters (`{}` without one). */
  readonly agreed: Record<string, string | true>
  #offset: number
  #deflate: DeflateRaw | undefined
  #inflate: InflateRaw | undefined

  private constructor(raw: RawClient, answer: string | undefined, offset: number) {
    this.raw = raw
    this.answer = answer
    this.agreed = answer === undefined ? {} : parseAnswer(answer)
    this.#offset = offset
  }

  /** Connects, offers `offer` (no header when `undefined`), and reads the 101. */
  static async connect(
    port: number,
    path: string,
    offer: string | undefined,
  ): Promise<DeflateClient> {
    const raw = await RawClient.connect(port)
    raw.send(handshakeRequest(path, { 'Sec-WebSocket-Extensions': offer }))
    const received = await raw.until((r) => r.includes('\r\n\r\n'))
    const { status, headers } = parseResponse(received)
    if (status !== 101) throw new Error(`The handshake was answered ${status}`)
    return new DeflateClient(
      raw,
      headers['sec-websocket-extensions'],
      received.indexOf('\r\n\r\n') + 4,
    )
  }

  /** Sends a binary message, compressed as the agreement allows the client (up to its window, with context if kept). */
  async send(data: Buffer): Promise<void> {
    if (this.answer === undefined) {
      this.raw.send(frame(2, data))
      return
    }
    const keep = this.agreed.client_no_context_takeover === undefined
    const windowBits = Number(this.agreed.client_max_window_bits ?? 15)
    const deflate = (keep && this.#deflate) || createDeflateRaw({ windowBits })
    if (keep) this.#deflate = deflate
    const compressed = await pass(deflate, data, constants.Z_SYNC_FLUSH)
    if (!keep) deflate.close()
    this.raw.send(frame(2, compressed.subarray(0, -TAIL.length), { rsv1: true }))
  }

  /** The server's next data message, inflated with the window and context the server announced. */
  async next(): Promise<DeflatedMessage> {
    let parsed: { rsv1: boolean; payload: Buffer; end: number } | undefined
    await this.raw.until(() => (parsed = this.#frame()) !== undefined)
    if (parsed === undefined) throw new Error('The server closed before sending a message')
    this.#offset = parsed.end
    if (!parsed.rsv1) return { compressed: false, data: parsed.payload }
    const keep = this.agreed.server_no_context_takeover === undefined
    const windowBits = Number(this.agreed.server_max_window_bits ?? 15)
    // 64 bytes at a time: a match further back than the window is an error
    const inflate = (keep && this.#inflate) || createInflateRaw({ windowBits, chunkSize: 64 })
    if (keep) this.#inflate = inflate
    const data = await pass(inflate, Buffer.concat([parsed.payload, TAIL]))
    if (!keep) inflate.close()
    return { compressed: true, data }
  }

  /** Sends a binary message and returns the server's answer. */
  async ask(data: Buffer): Promise<DeflatedMessage> {
    await this.send(data)
    return this.next()
  }

  close(): void {
    this.#deflate?.close()
    this.#inflate?.close()
    this.raw.close()
  }

  /** The next whole frame from the server (unmasked, FIN), if it has all arrived. */
  #frame(): { rsv1: boolean; payload: Buffer; end: number } | undefined {
    const bytes = Buffer.from(this.raw.received.slice(this.#offset), 'latin1')
    if (bytes.length < 2) return undefined
    let length = bytes[1]! & 0x7f
    let start = 2
    if (length === 126) {
      if (bytes.length < 4) return undefined
      length = bytes.readUInt16BE(2)
      start = 4
    } else if (length === 127) {
      if (bytes.length < 10) return undefined
      length = Number(bytes.readBigUInt64BE(2))
      start = 10
    }
    if (bytes.length < start + length) return undefined
    const opcode = bytes[0]! & 0x0f
    if (opcode !== 2 || (bytes[0]! & 0x80) === 0)
      throw new Error(`Unexpected frame, opcode ${opcode}`)
    return {
      rsv1: (bytes[0]! & 0x40) !== 0,
      payload: bytes.subarray(start, start + length),
      end: this.#offset + start + length,
    }
  }
}
