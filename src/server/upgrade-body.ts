/**
 * The body of a request that asked for a protocol upgrade. node:http hands
 * such a request to its `upgrade` event and stops parsing: the body's bytes
 * are in `head` and on the socket, undecoded. When no protocol takes the
 * socket over, the application still gets the body: this stream frames it
 * by its Content-Length or decodes its chunked coding (RFC 9112 §7.1),
 * reading the socket only once the application reads the body.
 * @module
 */
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import { Readable } from 'node:stream'

import { BadRequest } from '../wsgi/errors.js'

// a chunk-size line: hex digits, then optional extensions (RFC 9112 §7.1.1)
const MAX_SIZE_LINE = 1024
const CRLF = Buffer.from('\r\n')

// where the decoder is in the body
const State = { Size: 0, Data: 1, DataEnd: 2, Trailer: 3, Done: 4 } as const
type State = (typeof State)[keyof typeof State]

/** The decoded body of an upgrade request; `length` is its Content-Length, `undefined` when chunked. */
export class UpgradeBody extends Readable {
  readonly #socket: Socket
  readonly #chunked: boolean
  readonly #maxTrailer: number
  #pending: Buffer
  #left: number
  #state: State
  #trailer = 0
  #started = false

  constructor(socket: Socket, head: Buffer, length: number | undefined, maxTrailer: number) {
    super()
    this.#socket = socket
    this.#pending = head
    this.#maxTrailer = maxTrailer
    this.#chunked = length === undefined
    this.#left = length ?? 0
    this.#state = length === undefined ? State.Size : length === 0 ? State.Done : State.Data
  }

  override _read(): void {
    if (this.#started) return void this.#socket.resume()
    this.#started = true
    this.#feed(Buffer.alloc(0))
    if (this.#state === State.Done) return
    this.#socket.on('data', this.#onData)
    this.#socket.once('end', this.#onEnd)
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#stop()
    callback(error)
  }

  readonly #onData = (data: Buffer): void => {
    if (!this.#feed(data)) this.#socket.pause()
  }

  readonly #onEnd = (): void => {
    if (this.#state !== State.Done) this.destroy(new BadRequest('The request body ended early'))
  }

  #stop(): void {
    this.#socket.off('data', this.#onData)
    this.#socket.off('end', this.#onEnd)
  }

  /** Takes more bytes; returns whether more are wanted now (backpressure). */
  #feed(data: Buffer): boolean {
    let buffer = this.#pending.length ? Buffer.concat([this.#pending, data]) : data
    let more = true
    try {
      while (buffer.length && this.#state !== State.Done) {
        const data = this.#state === State.Data
        const used = this.#step(buffer)
        if (used < 0) break
        if (data) more = this.push(buffer.subarray(0, used))
        buffer = buffer.subarray(used)
      }
    } catch (error) {
      this.destroy(error as Error)
      return false
    }
    this.#pending = buffer
    if (this.#state === State.Done) {
      this.#stop()
      this.push(null)
    }
    return more
  }

  /** One step of the framing: the bytes it took, or -1 when it needs more. */
  #step(buffer: Buffer): number {
    switch (this.#state) {
      case State.Data: {
        const taken = Math.min(this.#left, buffer.length)
        this.#left -= taken
        // a body framed by its length ends with it; a chunk is followed by CRLF
        if (this.#left === 0) this.#state = this.#chunked ? State.DataEnd : State.Done
        return taken
      }
      case State.Size: {
        const end = buffer.indexOf(CRLF)
        if (end < 0) {
          if (buffer.length > MAX_SIZE_LINE) throw malformed()
          return -1
        }
        const size = /^([0-9A-Fa-f]{1,12})(?:[ \t]*;[^\r\n]*)?$/.exec(
          buffer.toString('latin1', 0, end),
        )
        if (!size) throw malformed()
        this.#left = parseInt(size[1]!, 16)
        this.#state = this.#left === 0 ? State.Trailer : State.Data
        return end + 2
      }
      case State.DataEnd: {
        if (buffer.length < 2) return -1
        if (buffer[0] !== 13 || buffer[1] !== 10) throw malformed()
        this.#state = State.Size
        return 2
      }
      case State.Trailer: {
        const end = buffer.indexOf(CRLF)
        if (end < 0) {
          if (this.#trailer + buffer.length > this.#maxTrailer) throw malformed()
          return -1
        }
        this.#trailer += end + 2
        if (this.#trailer > this.#maxTrailer) throw malformed()
        // an empty line ends the trailer section, and the message
        if (end === 0) this.#state = State.Done
        return end + 2
      }
      default:
        return -1
    }
  }
}

function malformed(): BadRequest {
  return new BadRequest('Malformed chunked request body')
}

/** The Content-Length of a request's body: 0 when it has none, `undefined` when it is chunked. */
export function bodyLength(req: IncomingMessage): number | undefined {
  if (req.headers['transfer-encoding'] !== undefined) return undefined
  const length = Number(req.headers['content-length'] ?? 0)
  return Number.isSafeInteger(length) ? length : 0
}
