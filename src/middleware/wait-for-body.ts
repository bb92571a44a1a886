/**
 * pulsar's `wait_for_body_middleware`: the whole request body read before
 * the application runs, so synchronous handlers can read it.
 * @module
 */
import { Readable } from 'node:stream'

import { WsgiInput, parseJsonBody } from '../server/input.js'
import type { Environ, Middleware } from '../server/types.js'

// the base class keeps a stream it never reads here: every reader is overridden
const NO_STREAM = new Readable({ read: () => undefined })
const EMPTY = Buffer.alloc(0)

/**
 * `wsgi.input` once the body is in memory (pulsar's BytesIO): the async
 * readers of `WsgiInput` answer at once, and `readSync()`, `readlineSync()`,
 * `textSync()` and `jsonSync()` read synchronously. All share one position.
 */
export class BufferedInput extends WsgiInput {
  readonly #data: Buffer
  #position = 0

  constructor(data: Buffer) {
    super(NO_STREAM, { length: data.length, limit: data.length })
    this.#data = data
  }

  override get length(): number {
    return this.#data.length
  }

  override get bytesReceived(): number {
    return this.#data.length
  }

  override get done(): boolean {
    return this.#position >= this.#data.length
  }

  /** Reads `size` bytes (fewer only at the end), or the rest of the body. */
  readSync(size?: number): Buffer {
    const data = this.#data
    const start = this.#position
    if (start >= data.length) return EMPTY
    const end = size === undefined || size < 0 ? data.length : Math.min(data.length, start + size)
    this.#position = end
    return data.subarray(start, end)
  }

  /** Reads up to and including the next `\n`, or the rest of the body. */
  readlineSync(): Buffer {
    const newline = this.#data.indexOf(10, this.#position)
    return this.readSync(newline < 0 ? undefined : newline + 1 - this.#position)
  }

  /** The rest of the body as text. */
  textSync(encoding: BufferEncoding = 'utf8'): string {
    return this.readSync().toString(encoding)
  }

  /** The rest of the body parsed as JSON; malformed or empty JSON is a 400. */
  jsonSync(): unknown {
    return parseJsonBody(this.textSync())
  }

  override read(size?: number): Promise<Buffer> {
    return Promise.resolve(this.readSync(size))
  }

  override readline(): Promise<Buffer> {
    return Promise.resolve(this.readlineSync())
  }

  override text(encoding: BufferEncoding = 'utf8'): Promise<string> {
    return Promise.resolve(this.textSync(encoding))
  }

  override json(): Promise<unknown> {
    // a 400 for malformed JSON becomes the promise's rejection
    return new Promise((resolve) => resolve(this.jsonSync()))
  }

  override async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    const rest = await this.read()
    if (rest.length) yield rest
  }
}

/**
 * A request middleware that reads the whole body, within the
 * `stream_buffer` limit (a larger one is a 413), replaces `wsgi.input` with
 * a `BufferedInput` over it and removes `wsgi.async`; then the next
 * middleware answers. A request without a body costs no promise.
 */
export const waitForBodyMiddleware: Middleware = function waitForBodyMiddleware(environ: Environ) {
  if (!environ['wsgi.async']) return undefined
  const input = environ['wsgi.input']
  const buffered = (data: Buffer): undefined => {
    environ['wsgi.input'] = new BufferedInput(data)
    delete environ['wsgi.async']
    return undefined
  }
  if (input.length === 0) return buffered(EMPTY)
  return input.read().then(buffered)
}
