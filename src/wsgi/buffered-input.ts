/**
 * `wsgi.input` over a body in memory (pulsar's BytesIO): what the server
 * gives an application when the whole body arrived with the request, and
 * what `waitForBodyMiddleware` leaves once it read it. `environ['wsgi.async']`
 * is then absent.
 * @module
 */
import { ExpectationFailed } from './errors.js'
import { MAX_JSON_DEPTH, parseJsonBody } from './json-body.js'
import type { WsgiInput } from './types.js'

const EMPTY = Buffer.alloc(0)

/**
 * `wsgi.input` once the body is in memory (pulsar's BytesIO): the async
 * readers answer at once, and `readSync()`, `readlineSync()`, `textSync()`
 * and `jsonSync()` read synchronously. All share one position.
 */
export class BufferedInput implements WsgiInput {
  /** Always false: the body is in memory, within the limit. */
  readonly tooLarge = false
  readonly #data: Buffer
  readonly #jsonDepth: number
  #position = 0

  /** `jsonDepth`: how deep `json()` lets the body nest (the `max_json_depth` setting). */
  constructor(data: Buffer, jsonDepth = MAX_JSON_DEPTH) {
    this.#data = data
    this.#jsonDepth = jsonDepth
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

  /** Refuses the body: throws 417 (too late for `Expect: 100-continue`, which never gets here). */
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

  /** The rest of the body parsed as JSON; malformed, empty or too deeply nested JSON is a 400. */
  jsonSync(): unknown {
    return parseJsonBody(this.textSync(), this.#jsonDepth)
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

  /** The rest of the body parsed as JSON; malformed, empty or too deeply nested JSON is a 400. */
  json(): Promise<unknown> {
    // a 400 for malformed JSON becomes the promise's rejection
    return new Promise((resolve) => resolve(this.jsonSync()))
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    const rest = await this.read()
    if (rest.length) yield rest
  }
}
