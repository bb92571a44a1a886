/**
 * WsgiResponse: a response as an object (status, headers, content, cookies)
 * that response middleware can inspect and rewrite before it starts. It is
 * itself a valid WSGI body, which starts itself when it is first iterated.
 * @module
 */
import { STATUS_CODES } from 'node:http'

import { isThenable } from './callable.js'
import { type CookieOptions, serializeCookie } from './cookies.js'
import { type HeadersInit, ResponseHeaders } from './headers.js'
import type { Body, Chunk, Environ, StartResponse } from './types.js'

/** What a response can carry: text (UTF-8), bytes, a list of them, or a stream. */
export type Content =
  | Chunk
  | readonly Chunk[]
  | Iterable<Chunk | PromiseLike<Chunk>>
  | AsyncIterable<Chunk>
  | null
  | undefined

/** A response middleware: returns a replacement response, or `undefined` to keep it. */
export type ResponseMiddleware = (
  environ: Environ,
  response: WsgiResponse,
) => WsgiResponse | undefined | PromiseLike<WsgiResponse | undefined>

type Starter = [environ: Environ, startResponse: StartResponse, excInfo: unknown]

const NO_CONTENT: readonly Chunk[] = Object.freeze([])
const STATUS_LINES: Record<number, string> = {}

function isChunk(value: unknown): value is Chunk {
  return typeof value === 'string' || value instanceof Uint8Array
}

function byteLength(chunk: Chunk): number {
  return typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength
}

/** True for statuses that never have a body (RFC 9110 §6.4.1). */
export function isEmptyStatus(status: number): boolean {
  return status < 200 || status === 204 || status === 304
}

/** A response as an object; `new WsgiResponse(status, content, headers, contentType)` keeps pulsar's order. */
export class WsgiResponse implements AsyncIterable<Chunk> {
  /** The numeric status; `status` gives the status line. */
  statusCode: number
  /** The response headers (case-insensitive, repeatable). */
  readonly headers: ResponseHeaders
  #content: readonly Chunk[] | Body = NO_CONTENT
  #source: unknown
  #text = false
  #started = false
  #starter: Starter | undefined
  #iterated = false
  #closed = false

  constructor(status = 200, content?: Content, headers?: HeadersInit, contentType?: string) {
    this.statusCode = status
    this.headers = new ResponseHeaders(headers)
    if (contentType !== undefined) this.contentType = contentType
    this.content = content
  }

  /** A JSON response (`application/json; charset=utf-8`). */
  static json(data: unknown, status = 200, headers?: HeadersInit): WsgiResponse {
    return new WsgiResponse(
      status,
      JSON.stringify(data),
      headers,
      'application/json; charset=utf-8',
    )
  }

  /** A redirect to `location` (302 unless told otherwise). */
  static redirect(location: string, status = 302): WsgiResponse {
    return new WsgiResponse(status, undefined, [['Location', location]])
  }

  /** The status line, e.g. `'200 OK'`. */
  get status(): string {
    return (STATUS_LINES[this.statusCode] ??= `${this.statusCode} ${this.reason}`)
  }

  /** The reason phrase of the status. */
  get reason(): string {
    return STATUS_CODES[this.statusCode] ?? 'Unknown'
  }

  /** The `Content-Type` header; setting `undefined` removes it. */
  get contentType(): string | undefined {
    return this.headers.get('Content-Type')
  }

  set contentType(value: string | undefined) {
    if (value === undefined) this.headers.delete('Content-Type')
    else this.headers.set('Content-Type', value)
  }

  /** The content: a list of chunks when its length is known, else the stream as given. */
  get content(): readonly Chunk[] | Body {
    return this.#content
  }

  set content(content: Content) {
    if (this.#iterated)
      throw new Error('The content of a WsgiResponse cannot change once it was sent')
    this.#source = content
    this.#text =
      typeof content === 'string' ||
      (Array.isArray(content) && content.some((c) => typeof c === 'string'))
    if (content === null || content === undefined) this.#content = NO_CONTENT
    else if (isChunk(content)) this.#content = [content]
    else if (Array.isArray(content) && content.every(isChunk)) this.#content = content
    else this.#content = content as Body
  }

  /** Whether the response started (its headers went to `start_response`). */
  get started(): boolean {
    return this.#started
  }

  /**
   * Names the request this response answers and the `start_response` to
   * start it with, when it is first iterated; the first call wins, so a
   * response handed back through nested handlers starts with the innermost
   * one's (see docs/contract.md, "Nested handlers").
   */
  bind(environ: Environ, startResponse: StartResponse, excInfo?: unknown): this {
    this.#starter ??= [environ, startResponse, excInfo]
    return this
  }

  /** Whether the content was handed over to be sent. */
  get iterated(): boolean {
    return this.#iterated
  }

  /** Whether the length of the content is unknown until it is sent. */
  isStreamed(): boolean {
    return this.length() === undefined
  }

  /** The content's length in bytes, or `undefined` when it is streamed. */
  length(): number | undefined {
    const content = this.#content
    if (!Array.isArray(content)) return undefined
    let length = 0
    for (const chunk of content as readonly unknown[]) {
      if (!isChunk(chunk)) return undefined
      length += byteLength(chunk)
    }
    return length
  }

  /** Adds a `Set-Cookie` header. */
  setCookie(name: string, value: string, options?: CookieOptions): this {
    this.headers.append('Set-Cookie', serializeCookie(name, value, options))
    return this
  }

  /** Tells the client to forget a cookie (same `path` and `domain` as it was set with). */
  deleteCookie(name: string, options: Pick<CookieOptions, 'path' | 'domain'> = {}): this {
    return this.setCookie(name, '', { ...options, expires: new Date(0), maxAge: 0 })
  }

  /**
   * Gives text content the Content-Type start() would give it, now:
   * `charset=utf-8` added, `text/plain` when no type was set. For response
   * middleware that replaces text with bytes (compression) and must keep the label.
   */
  labelText(): this {
    if (!this.#text) return this
    const headers = this.headers
    const type = headers.get('Content-Type')
    if (type === undefined) headers.append('Content-Type', 'text/plain; charset=utf-8')
    else if (!type.includes(';')) headers.set('Content-Type', `${type}; charset=utf-8`)
    return this
  }

  /**
   * Sends the status and headers through `startResponse`: Content-Length when
   * the length is known, `charset=utf-8` for text (text/plain when no type was
   * set), and no body where the status or a HEAD request allows none.
   */
  start(environ: Environ, startResponse: StartResponse, excInfo?: unknown): this {
    const code = this.statusCode
    const headers = this.headers
    if (isEmptyStatus(code)) {
      headers.delete('Content-Type')
      if (code !== 304) headers.delete('Content-Length')
      this.#content = NO_CONTENT
    } else {
      const length = this.length()
      if (length !== undefined && !headers.has('Content-Length'))
        headers.append('Content-Length', String(length))
      if (this.#text) this.labelText()
      if (environ.REQUEST_METHOD === 'HEAD') this.#content = NO_CONTENT
    }
    startResponse(this.status, headers.toList(), excInfo)
    this.#started = true
    return this
  }

  /** Hands the content over to be sent, once only; starts the response first when `bind()` named how. */
  chunks(): readonly Chunk[] | Body {
    if (this.#iterated) throw new Error('A WsgiResponse can be iterated once only')
    const starter = this.#starter
    if (starter && !this.#started) this.start(...starter)
    this.#iterated = true
    return this.#content
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Chunk> {
    const content = this.chunks()
    if (Symbol.asyncIterator in content) {
      yield* content
      return
    }
    for (const chunk of content) yield isThenable<Chunk>(chunk) ? await chunk : chunk
  }

  /** Closes the content's stream, if it has a `close()`; once only. */
  close(): unknown {
    if (this.#closed) return undefined
    this.#closed = true
    const source = this.#source as { close?: () => unknown } | null | undefined
    return typeof source?.close === 'function' ? source.close() : undefined
  }
}
