/**
 * The response sink of an HTTP/2 stream: what `HttpServerResponse` writes
 * through, as it writes through node:http's `ServerResponse` over HTTP/1.1.
 * The head becomes a HEADERS frame (no reason phrase in HTTP/2); a
 * response without a body ends the stream with it; a body that breaks its
 * Content-Length resets the stream, never the session; and a request body
 * still coming once the response is complete is declined with
 * RST_STREAM(NO_ERROR), as RFC 9113 §8.1 allows.
 * @module
 */
import { validateHeaderName, validateHeaderValue } from 'node:http'
import { type OutgoingHttpHeaders, type ServerHttp2Stream, constants } from 'node:http2'

import { httpDate } from '../wsgi/http-date.js'
import type { Chunk, Header } from '../wsgi/types.js'
import { byteLength } from './body-writer.js'
import type { ResponseSink } from './sink.js'

const { NGHTTP2_NO_ERROR, NGHTTP2_INTERNAL_ERROR } = constants

/** Marks a stream the server reset itself, so that it is not counted as the client's reset. */
export const kResetByServer = Symbol('pulsar.resetByServer')
type MarkedStream = ServerHttp2Stream & { [kResetByServer]?: true }

const CACHE_LIMIT = 1000

/** A response header's name as HTTP/2 sends it, and the value last sent with it. */
interface Field {
  /** The name in lower case (RFC 9113 §8.2.1). */
  readonly key: string
  /** The last value checked for this name: an application sends the same ones again and again. */
  checked: string
}

// by the application's spelling: applications send the same few names on every response
const fields = new Map<string, Field>()

/**
 * A response header's name as HTTP/2 sends it (lower case, RFC 9113
 * §8.2.1), checked for the characters node:http allows, so HTTP/2 sends
 * what HTTP/1.1 would; checked once per name.
 */
function fieldOf(name: string): Field {
  let field = fields.get(name)
  if (field !== undefined) return field
  validateHeaderName(name)
  field = { key: name.toLowerCase(), checked: '' }
  if (fields.size < CACHE_LIMIT) fields.set(name, field)
  return field
}

// the head made last, and the status and fields it was made of (names and values in turn):
// an application answers with the same head again and again, and comparing its fields costs
// a fraction of making the head (a lookup, a check and a store by a variable key per field)
let lastStatus = 0
const lastFields: string[] = []
let lastHead: OutgoingHttpHeaders = {}
// whether the application gave the Date: else the server's is renewed on each use
let lastDated = false

/** Whether `headers` are the fields of the head made last. */
function sameFields(headers: readonly Header[]): boolean {
  if (headers.length * 2 !== lastFields.length) return false
  for (let i = 0; i < headers.length; i++) {
    const header = headers[i]!
    if (header[0] !== lastFields[2 * i] || header[1] !== lastFields[2 * i + 1]) return false
  }
  return true
}

/**
 * The head node:http2 sends for a status and a list of fields: names in
 * lower case, each checked as node:http checks it, repeated ones as a list,
 * and a Date. `respond()` copies it before anything else (its copy is the
 * stream's `sentHeaders`), so the same object serves again when the same
 * status and fields come again.
 */
function headOf(statusCode: number, headers: readonly Header[]): OutgoingHttpHeaders {
  if (statusCode === lastStatus && sameFields(headers)) {
    if (!lastDated) lastHead.date = httpDate()
    return lastHead
  }
  const head: OutgoingHttpHeaders = { ':status': statusCode }
  for (const [name, value] of headers) {
    const field = fieldOf(name)
    // node:http2 does not check values, and one with a NUL would break its list of fields;
    // a value equal to the one checked last time is not checked again
    if (value !== field.checked) {
      validateHeaderValue(name, value)
      field.checked = value
    }
    const key = field.key
    const previous = head[key]
    if (previous === undefined) head[key] = value
    else if (Array.isArray(previous)) previous.push(value)
    else head[key] = [previous as string, value]
  }
  lastStatus = statusCode
  lastFields.length = 0
  for (const [name, value] of headers) lastFields.push(name, value)
  lastHead = head
  lastDated = head.date !== undefined
  // node:http2 adds a missing Date itself, but its store of it misses its inline
  // cache on every response until processHeaders is optimized, and each miss keeps
  // it from being optimized when respond() does not inline it, as from here
  // (docs/performance.md, "Third pass")
  head.date ??= httpDate()
  return head
}

/** Whether the client may still send on a stream: its END_STREAM has not arrived. */
export function remoteOpen(stream: ServerHttp2Stream): boolean {
  return !stream.destroyed && stream.state.remoteClose === 0
}

/** Resets a stream with `code`, marked as the server's reset. */
export function resetStream(stream: ServerHttp2Stream, code: number): void {
  if (stream.closed) return
  ;(stream as MarkedStream)[kResetByServer] = true
  stream.close(code)
}

/** A response written to an HTTP/2 stream, through the interface of node:http's ServerResponse. */
export class Http2Response implements ResponseSink {
  /** The status sent, 0 until then. */
  statusCode = 0
  /** Unused over HTTP/2: the session outlives every response (a drain sends GOAWAY). */
  shouldKeepAlive = true
  /** Set before the head is sent when the response has a Content-Length: a body that breaks it resets the stream. */
  strictContentLength = false
  readonly #stream: ServerHttp2Stream
  /** Whether the request had a body (no END_STREAM on its HEADERS): it may still be coming. */
  readonly #requestBody: boolean
  readonly #head: boolean
  #noBody = false
  #remaining: number | undefined
  #overtaken = false
  /** Whether the response was ended: node:http2 ends a stream's writable side itself when the client resets it. */
  #ended = false

  /** `head`: the request is a HEAD, answered without a body. */
  constructor(stream: ServerHttp2Stream, requestBody: boolean, head: boolean) {
    this.#stream = stream
    this.#requestBody = requestBody
    this.#head = head
  }

  /** Sends the head: lower-case names, repeated ones as one list; the reason is not sent (HTTP/2 has none). */
  writeHead(statusCode: number, _reason: string, headers: Header[]): this {
    if (this.#overtaken) return this
    const head = headOf(statusCode, headers)
    const stream = this.#stream
    // no body after these (RFC 9110 §6.4.1, §9.3.2); node:http2 ends the stream for them too
    this.#noBody = statusCode === 204 || statusCode === 205 || statusCode === 304 || this.#head
    if (this.strictContentLength && !this.#noBody) this.#remaining = Number(head['content-length'])
    stream.respond(head, { endStream: this.#noBody })
    this.statusCode = statusCode
    if (this.#noBody) this.#finish()
    return this
  }

  /** Writes a chunk; false when the stream's buffer is full: 'drain' comes once flow control let it go. */
  write(chunk: Chunk): boolean {
    if (this.#noBody || this.#overtaken) return true
    this.#count(chunk)
    return this.#stream.write(chunk)
  }

  /** Ends the response; a body shorter than its Content-Length throws, and the stream is reset. */
  end(chunk?: Chunk): this {
    if (this.#noBody || this.#overtaken) return this
    if (chunk !== undefined) this.#count(chunk)
    if (this.#remaining !== undefined && this.#remaining > 0)
      throw new Error(`The body ended ${this.#remaining} bytes short of its Content-Length`)
    this.#stream.end(chunk)
    this.#finish()
    return this
  }

  /** Sends `100 Continue`: the client may send the body it holds back. */
  writeContinue(): void {
    if (!this.#stream.headersSent && !this.#stream.closed)
      this.#stream.additionalHeaders({ ':status': 100 })
  }

  /** Resets the stream: the client sees the response cut, the session goes on. */
  destroy(): this {
    resetStream(this.#stream, NGHTTP2_INTERNAL_ERROR)
    return this
  }

  /**
   * Answers the stream itself, before or instead of the application (a
   * request body slower than `request_timeout`: 408), and ignores whatever
   * the application writes afterwards.
   */
  overtake(statusCode: number): void {
    const stream = this.#stream
    this.#overtaken = true
    if (!stream.headersSent && !stream.closed) {
      stream.respond({ ':status': statusCode, 'content-length': 0 }, { endStream: true })
      this.#finish()
    } else resetStream(stream, NGHTTP2_INTERNAL_ERROR)
  }

  once(event: 'drain' | 'close' | 'finish', listener: () => void): this {
    this.#stream.once(event, listener)
    return this
  }

  off(event: 'drain' | 'close' | 'finish', listener: () => void): this {
    this.#stream.off(event, listener)
    return this
  }

  /**
   * The head as it went out, for `HttpServerResponse.head`: HTTP/2's
   * HEADERS frame written as text, `HTTP/2 200` then a line per field,
   * node:http2's `date` included (node:http's `_header` over HTTP/1.1).
   */
  get _header(): string | undefined {
    const sent = this.#stream.sentHeaders as Record<string, string | string[] | number> | undefined
    if (!sent || this.#overtaken) return undefined
    let head = `HTTP/2 ${this.statusCode}\r\n`
    for (const [name, value] of Object.entries(sent))
      if (name !== ':status')
        for (const item of Array.isArray(value) ? value : [value]) head += `${name}: ${item}\r\n`
    return head + '\r\n'
  }

  /** Whether the whole response was ended and handed to the session. */
  get writableFinished(): boolean {
    return this.#ended && this.#stream.writableFinished
  }

  #count(chunk: Chunk): void {
    if (this.#remaining === undefined) return
    const length = byteLength(chunk)
    if (length > this.#remaining)
      throw new Error(`The body goes ${length - this.#remaining} bytes past its Content-Length`)
    this.#remaining -= length
  }

  /**
   * The response is complete: a request body still coming is declined
   * (node:http2 sends the reset once the response went out).
   */
  #finish(): void {
    this.#ended = true
    if (this.#requestBody && remoteOpen(this.#stream)) resetStream(this.#stream, NGHTTP2_NO_ERROR)
  }
}
