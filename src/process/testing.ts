// the public types name Node's (Buffer, IncomingMessage, Socket...): docs/typescript.md
/// <reference types="node" preserve="true" />
/**
 * Testing helpers, exported as `pulsar-ts/testing`: `testWsgiEnviron()`
 * builds the environ of a made-up request, and `inject()` runs any
 * application through the real response machinery without a socket.
 * @module
 */
import { EventEmitter } from 'node:events'
import { IncomingMessage, validateHeaderName, validateHeaderValue } from 'node:http'
import type { Socket } from 'node:net'

import { SocketConnection } from '../server/connection.js'
import type { ResponseSink } from '../server/sink.js'
import { HttpServerResponse } from '../server/start-response.js'
import { toFunction } from '../wsgi/callable.js'
import type { Config } from '../wsgi/config.js'
import { ResponseHeaders } from '../wsgi/headers.js'
import { httpDate } from '../wsgi/http-date.js'
import type { Callable, Chunk, Environ, Header, Logger, WsgiApp } from '../wsgi/types.js'
import { createLogger } from './logger.js'
import { resolveConfig } from './settings.js'

/** A made-up request for `testWsgiEnviron()` and `inject()`. */
export interface TestRequest extends Partial<Config> {
  /** The request target, query included. @default '/' */
  path?: string
  /** @default 'GET' */
  method?: string
  /** Request headers; `Host` defaults to `127.0.0.1:8060`. */
  headers?: Record<string, string> | readonly (readonly [string, string])[]
  /** Extra environ keys. */
  extra?: Record<string, unknown>
  /** Whether the request came over TLS. @default false */
  https?: boolean
  /** The request body; a Content-Length is added for it unless a header says otherwise. */
  body?: string | Uint8Array
  /**
   * The protocol the request came over, `SERVER_PROTOCOL` `HTTP/<version>`;
   * `'2'` answers as over an HTTP/2 stream: lower-case header names, no
   * reason phrase, no chunked coding. @default '1.1'
   */
  httpVersion?: '1.0' | '1.1' | '2'
  /** The logger the response machinery reports to. */
  logger?: Logger
}

/** What `inject()` returns: the response as the client would have seen it. */
export interface InjectResponse {
  status: number
  /** The reason phrase, `''` over HTTP/2 (which has none). */
  reason: string
  headers: ResponseHeaders
  body: Buffer
  text: string
  json(): unknown
  /** Whether the connection would have been kept alive (always over HTTP/2: the session outlives its streams). */
  keepAlive: boolean
  /** Whether the server cut the connection (a failure after the headers went out). */
  destroyed: boolean
}

/** Records what the response machinery writes, as node:http's ServerResponse would send it. */
class RecordingResponse extends EventEmitter implements ResponseSink {
  statusCode = 0
  statusMessage = ''
  headers: Header[] = []
  chunks: Buffer[] = []
  writableFinished = false
  shouldKeepAlive = true
  strictContentLength = false
  destroyed = false
  continued = false
  readonly done: Promise<void>
  #finish!: () => void
  #hasBody: boolean
  readonly #http2: boolean

  /** `http2`: record what an HTTP/2 stream sends (http2-response.ts). */
  constructor(method: string, http2: boolean) {
    super()
    this.#hasBody = method !== 'HEAD'
    this.#http2 = http2
    this.done = new Promise((resolve) => (this.#finish = resolve))
  }

  writeHead(statusCode: number, statusMessage: string, headers: Header[]): this {
    for (const [name, value] of headers) {
      validateHeaderName(name)
      validateHeaderValue(name, value)
    }
    if (/[\r\n]/.test(statusMessage)) throw new TypeError('Invalid character in statusMessage')
    const http2 = this.#http2
    this.statusCode = statusCode
    this.statusMessage = http2 ? '' : statusMessage
    this.headers = headers.map(([name, value]): Header => [
      http2 ? name.toLowerCase() : name,
      String(value),
    ])
    if (!this.headers.some(([name]) => name.toLowerCase() === 'date'))
      this.headers.push([http2 ? 'date' : 'Date', httpDate()])
    if (statusCode < 200 || statusCode === 204 || statusCode === 304) this.#hasBody = false
    return this
  }

  write(chunk: Chunk): boolean {
    if (this.#hasBody) this.chunks.push(Buffer.from(chunk))
    return true
  }

  end(chunk?: Chunk): this {
    if (chunk !== undefined) this.write(chunk)
    this.writableFinished = true
    this.emit('finish')
    this.emit('close')
    this.#finish()
    return this
  }

  writeContinue(): void {
    this.continued = true
  }

  destroy(): this {
    if (this.destroyed || this.writableFinished) return this
    this.destroyed = true
    this.emit('close')
    this.#finish()
    return this
  }
}

// RFC 9113 §8.2.2: an HTTP/2 request carrying one of these is malformed (`TE` but for `trailers`)
const CONNECTION_SPECIFIC = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
])

function refuseConnectionSpecific(name: string, value: string): void {
  const lower = name.toLowerCase()
  if (CONNECTION_SPECIFIC.has(lower) && !(lower === 'te' && value.trim() === 'trailers'))
    throw new TypeError(`An HTTP/2 request cannot carry the connection-specific header ${name}`)
}

function makeRequest(request: TestRequest): {
  environ: Environ
  consumer: HttpServerResponse
  sink: RecordingResponse
} {
  const {
    path = '/',
    method = 'GET',
    headers = {},
    extra,
    https = false,
    body,
    httpVersion = '1.1',
    logger,
    ...settings
  } = request
  const cfg = resolveConfig(settings)
  const raw: string[] = []
  const pairs: readonly (readonly [string, string])[] = Array.isArray(headers)
    ? headers
    : Object.entries(headers)
  const http2 = httpVersion === '2'
  for (const [name, value] of pairs) {
    if (http2) refuseConnectionSpecific(name, value)
    raw.push(name, value)
  }
  const names = raw.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase())
  if (!names.includes('host')) raw.push('Host', '127.0.0.1:8060')
  const data = body === undefined ? undefined : Buffer.from(body)
  if (data && !names.includes('content-length') && !names.includes('transfer-encoding'))
    raw.push('Content-Length', String(data.length))
  const socket = {
    remoteAddress: '127.0.0.1',
    remotePort: 54321,
    localAddress: '127.0.0.1',
    localPort: 8060,
    encrypted: https,
  } as unknown as Socket
  // a real IncomingMessage, so headers are joined exactly as node:http joins them
  const req = new IncomingMessage(socket) as IncomingMessage & {
    _addHeaderLines(headers: string[], count: number): void
  }
  req._addHeaderLines(raw, raw.length)
  Object.assign(req, {
    method: method.toUpperCase(),
    url: path,
    httpVersion,
    httpVersionMajor: http2 ? 2 : 1,
    httpVersionMinor: httpVersion === '1.1' ? 1 : 0,
    complete: true,
  })
  if (data) req.push(data)
  req.push(null)
  const sink = new RecordingResponse(req.method!, http2)
  const log = logger ?? createLogger(cfg)
  const context = {
    cfg,
    logger: log,
    errors: { write: (message: string) => log.error(message), flush: () => undefined },
    multiprocess: false,
    closing: false,
  }
  const expectsContinue = names.includes('expect')
  const consumer = new HttpServerResponse(
    req,
    sink,
    new SocketConnection(socket),
    context,
    expectsContinue ? { sendContinue: () => sink.writeContinue() } : undefined,
  )
  const environ = consumer.environ
  Object.assign(environ, extra)
  return { environ, consumer, sink }
}

/** The environ of a made-up request, as the server would build it (pulsar's `test_wsgi_environ`). */
export function testWsgiEnviron(request: TestRequest = {}): Environ {
  return makeRequest(request).environ
}

/**
 * Runs an application (a WsgiHandler, a Router, any WSGI callable) for a
 * made-up request, in process, and returns the response the client would get.
 */
export async function inject(
  app: Callable<WsgiApp>,
  request: TestRequest | string = {},
): Promise<InjectResponse> {
  const { consumer, sink } = makeRequest(typeof request === 'string' ? { path: request } : request)
  await consumer.run(toFunction(app, 'The application'))
  await sink.done
  const body = Buffer.concat(sink.chunks)
  return {
    status: sink.statusCode,
    reason: sink.statusMessage,
    headers: new ResponseHeaders(sink.headers),
    body,
    text: body.toString(),
    json: () => JSON.parse(body.toString()) as unknown,
    keepAlive: sink.shouldKeepAlive,
    destroyed: sink.destroyed,
  }
}
