/**
 * pulsar's `wait_for_body_middleware`: the whole request body read before
 * the application runs, so synchronous handlers can read it.
 * @module
 */
import { ExpectationFailed } from '../wsgi/errors.js'
import { parseJsonBody } from '../wsgi/json-body.js'
import type { Environ, Middleware, WsgiInput } from '../wsgi/types.js'

const EMPTY = Buffer.alloc(0)

/**
 * `wsgi.input` once the body is in memory (pulsar's BytesIO): the async
 * readers answer at once, and `readSync()`, `readlineSync()`, `textSync()`
 * and `jsonSync()` read synchronously. All share one position.
 */
export class BufferedInput implements WsgiInput {
  /** Always false: the body was read within the limit. */
  readonly tooLarge = false
  readonly #data: Buffer
  #position = 0

  constructor(data: Buffer) {
    this.#data = data
  }

  /** The body's length in bytes. */
  get length(): number {
    return this.#data.length
  }

  /** The body's length in bytes: all of it was received. */
  get bytesReceived(): number {
    return this.#data.length
  }

  /** Whether the whole body has been read. */
  get done(): boolean {
    return this.#position >= this.#data.length
  }

  /** Too late to refuse `Expect: 100-continue`: the body was read; throws 417 all the same. */
  fail(): never {
    throw new ExpectationFailed()
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

  /** Reads `size` bytes (fewer only at the end), or the rest of the body. */
  read(size?: number): Promise<Buffer> {
    return Promise.resolve(this.readSync(size))
  }

  /** Reads up to and including the next `\n`, or the rest of the body. */
  readline(): Promise<Buffer> {
    return Promise.resolve(this.readlineSync())
  }

  /** The rest of the body as text. */
  text(encoding: BufferEncoding = 'utf8'): Promise<string> {
    return Promise.resolve(this.textSync(encoding))
  }

  /** The rest of the body parsed as JSON; malformed or empty JSON is a 400. */
  json(): Promise<unknown> {
    // a 400 for malformed JSON becomes the promise's rejection
    return new Promise((resolve) => resolve(this.jsonSync()))
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
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
