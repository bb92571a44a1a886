/**
 * `wsgi.input`: the asynchronous request body reader. Nothing is read from the
 * client until the application asks, so `100 Continue` is sent lazily and an
 * unread body costs nothing; the `stream_buffer` limit keeps memory bounded.
 * @module
 */
import type { Readable } from 'node:stream'

import {
  ClientDisconnected,
  ExpectationFailed,
  HttpException,
  RequestEntityTooLarge,
} from '../wsgi/errors.js'
import { parseJsonBody } from '../wsgi/json-body.js'
import type { WsgiInput } from '../wsgi/types.js'

/** How a `StreamInput` reads its stream. */
export interface InputOptions {
  /** The body's length: its Content-Length, 0 when there is no body, `undefined` when chunked. */
  length: number | undefined
  /** The most bytes the body may have (the `stream_buffer` setting). */
  limit: number
  /** Sends `100 Continue`; given only when the client sent `Expect: 100-continue`. */
  sendContinue?: (() => void) | undefined
  /** How deep `json()` lets the body nest (the `max_json_depth` setting). @default 128 */
  jsonDepth?: number | undefined
}

const EMPTY = Buffer.alloc(0)

/**
 * What a failed read of the request's stream is to the application: an
 * HTTP error stays one (a malformed chunked body is a 400); one of node's
 * own, which carries a `code` (a reset socket, an HTTP/2 stream reset with
 * an error code, a session closed under it), is the client going away.
 */
function readError(error: NodeJS.ErrnoException): Error {
  if (error instanceof HttpException || typeof error.code !== 'string') return error
  return new ClientDisconnected()
}

/**
 * Whether a stream ended because it was reset, not because its body did:
 * node:http2 ends the readable side of a stream as it destroys it, so the
 * 'end' of a stream the client reset (RST_STREAM, whatever its code) before
 * the response was complete comes with part of the body only; node:http2
 * marks such a stream `aborted`. node:http's request errors instead.
 */
function cutShort(stream: Readable): boolean {
  return (stream as { aborted?: boolean }).aborted === true
}

/** `wsgi.input` over node:http's request stream: `read(n?)`, `readline()`, `text()`, `json()` or `for await`. */
export class StreamInput implements WsgiInput {
  /** Set when the body went over the limit: the connection cannot be reused. */
  tooLarge = false
  readonly #stream: Readable
  readonly #options: InputOptions
  #pending: Buffer[] | undefined
  #received = 0
  #started = false
  #ended = false
  #refused = false
  #error: Error | undefined
  #wake: (() => void) | undefined
  #all: Promise<Buffer> | undefined

  constructor(stream: Readable, options: InputOptions) {
    this.#stream = stream
    this.#options = options
  }

  /** The body's length: its Content-Length, 0 when there is no body, `undefined` when chunked. */
  get length(): number | undefined {
    return this.#options.length
  }

  /** Bytes received from the client so far. */
  get bytesReceived(): number {
    return this.#received
  }

  /** Whether the whole body has been read. */
  get done(): boolean {
    return this.#ended && !this.#pending?.length
  }

  /** Refuses an `Expect: 100-continue` request: throws 417 and never asks for the body. */
  fail(): never {
    this.#refused = true
    throw new ExpectationFailed()
  }

  /** Reads `size` bytes (fewer only at the end), or the whole rest of the body. */
  async read(size?: number): Promise<Buffer> {
    if ((size === undefined || size < 0) && !this.#started && !this.#pending?.length)
      return (this.#all = this.#readAll())
    const chunks: Buffer[] = []
    let length = 0
    const want = size === undefined || size < 0 ? Infinity : size
    while (length < want) {
      const chunk = await this.#next()
      if (chunk === null) break
      chunks.push(chunk)
      length += chunk.length
    }
    const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)
    if (length <= want) return data.length ? data : EMPTY
    ;(this.#pending ??= []).unshift(data.subarray(want))
    return data.subarray(0, want)
  }

  /** Reads up to and including the next `\n`, or the rest of the body. */
  async readline(): Promise<Buffer> {
    const chunks: Buffer[] = []
    for (;;) {
      const chunk = await this.#next()
      if (chunk === null) break
      const newline = chunk.indexOf(10)
      if (newline >= 0) {
        if (newline + 1 < chunk.length) (this.#pending ??= []).unshift(chunk.subarray(newline + 1))
        chunks.push(chunk.subarray(0, newline + 1))
        break
      }
      chunks.push(chunk)
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
  }

  /** The rest of the body as text. */
  async text(encoding: BufferEncoding = 'utf8'): Promise<string> {
    return (await this.read()).toString(encoding)
  }

  /** The rest of the body parsed as JSON; malformed, empty or too deeply nested JSON is a 400. */
  async json(): Promise<unknown> {
    return parseJsonBody(await this.text(), this.#options.jsonDepth)
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (let chunk = await this.#next(); chunk !== null; chunk = await this.#next()) yield chunk
  }

  async #next(): Promise<Buffer | null> {
    if (this.#pending?.length) return this.#pending.shift()!
    // a read of the whole body is under way: what comes after it is its end, or its error
    if (this.#all) await this.#all.then(undefined, () => undefined)
    if (!this.#started) this.#start()
    for (;;) {
      if (this.#error !== undefined) throw this.#error
      if (this.#ended) return null
      const chunk = this.#stream.read() as Buffer | null
      if (chunk !== null) return this.#count(chunk)
      await new Promise<void>((resolve) => (this.#wake = resolve))
    }
  }

  #start(): void {
    this.#started = true
    const { length, limit, sendContinue } = this.#options
    if (length !== undefined && length > limit) this.#overLimit()
    if (this.#refused) throw new ExpectationFailed()
    const stream = this.#stream
    const wake = () => {
      const resolve = this.#wake
      this.#wake = undefined
      resolve?.()
    }
    stream.on('readable', wake)
    stream.once('end', () => {
      this.#end(stream)
      wake()
    })
    stream.once('error', (error: NodeJS.ErrnoException) => {
      this.#error ??= readError(error)
      wake()
    })
    stream.once('close', () => {
      if (!this.#ended) this.#error ??= new ClientDisconnected()
      wake()
    })
    if (stream.readableEnded) this.#end(stream)
    if (length !== 0) sendContinue?.()
  }

  /**
   * The whole body in flowing mode ('data' events), the cheapest way node
   * streams deliver it, for the common `read()` of everything at once.
   */
  #readAll(): Promise<Buffer> {
    this.#started = true
    const { length, limit, sendContinue } = this.#options
    if (length !== undefined && length > limit) this.#overLimit()
    if (this.#refused) throw new ExpectationFailed()
    const stream = this.#stream
    if (length === 0) {
      this.#ended = true
      return Promise.resolve(EMPTY)
    }
    if (stream.readableEnded) {
      this.#end(stream)
      return this.#ended ? Promise.resolve(EMPTY) : Promise.reject(this.#error!)
    }
    return new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = []
      const stop = (error: Error) => {
        stream.off('data', onData)
        stream.off('end', onEnd)
        this.#error ??= error
        reject(this.#error)
      }
      const onData = (chunk: Buffer) => {
        this.#received += chunk.length
        if (this.#received <= limit) chunks.push(chunk)
        else {
          this.tooLarge = true
          stream.pause()
          stop(new RequestEntityTooLarge(limit))
        }
      }
      const onEnd = () => {
        this.#end(stream)
        if (!this.#ended) return stop(this.#error!)
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.#received))
      }
      stream.on('data', onData)
      stream.once('end', onEnd)
      stream.once('error', (error: NodeJS.ErrnoException) => stop(readError(error)))
      stream.once('close', () => {
        if (!this.#ended) stop(new ClientDisconnected())
      })
      sendContinue?.()
    })
  }

  /** The stream ended: the body did, unless the stream was cut short. */
  #end(stream: Readable): void {
    if (cutShort(stream)) this.#error ??= new ClientDisconnected()
    else this.#ended = true
  }

  #count(chunk: Buffer): Buffer {
    this.#received += chunk.length
    if (this.#received > this.#options.limit) this.#overLimit()
    return chunk
  }

  #overLimit(): never {
    this.tooLarge = true
    this.#error = new RequestEntityTooLarge(this.#options.limit)
    this.#stream.pause()
    throw this.#error
  }
}
