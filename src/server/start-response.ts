/**
 * HttpServerResponse: pulsar's server-side consumer of one request. It owns
 * `start_response` and `write` and sends the head; the rules of the head,
 * the keep-alive policy, the body loop, the client watch and error recovery
 * each live in a file of their own beside this one.
 * @module
 */
import { isThenable } from '../wsgi/callable.js'
import { logError } from '../wsgi/error-page.js'
import { ClientDisconnected } from '../wsgi/errors.js'
import type { Config } from '../wsgi/config.js'
import type {
  Body,
  Chunk,
  Environ,
  Header,
  Logger,
  ResponseConsumer,
  StartResponse,
  WsgiApp,
  WsgiInput,
  Write,
} from '../wsgi/types.js'
import { type BodyTarget, RESOLVED, byteLength, sendBody, stopIterator } from './body-writer.js'
import { ClientWatch } from './client-watch.js'
import type { SocketConnection } from './connection.js'
import { type BodySource, type IncomingRequest, createEnviron } from './environ.js'
import { mustClose } from './keep-alive.js'
import { recover } from './recover.js'
import { readHead } from './response-head.js'
import type { ResponseSink, ServerContext } from './sink.js'

const NO_HEADERS: Header[] = []
const NO_CHUNKS: readonly Chunk[] = []

/** The server side of one request: `start_response`, `write`, and sending the application's body. */
export class HttpServerResponse implements ResponseConsumer, BodyTarget {
  /** The environ of the request. */
  readonly environ: Environ
  /** The status line given to `start_response`, e.g. `'200 OK'`. */
  status: string | undefined
  /** The numeric status, 0 until `start_response` is called. */
  statusCode = 0
  /** Whether the status line and headers went out to the client. */
  headersSent = false
  /** The Content-Length of the response, once known. */
  contentLength: number | undefined
  /** The iterator of the body being sent, stopped if the client goes away. */
  iterator: Iterator<unknown> | AsyncIterator<unknown> | undefined
  readonly cfg: Readonly<Config>
  readonly logger: Logger
  readonly #req: IncomingRequest
  readonly #res: ResponseSink
  readonly #connection: SocketConnection
  readonly #context: ServerContext
  readonly #input: WsgiInput
  #reason = ''
  #headers: Header[] = NO_HEADERS
  #watch: ClientWatch | undefined
  #body: Body | undefined
  #refusal: Error | undefined
  #sequence = 0
  #write: Write | undefined

  constructor(
    req: IncomingRequest,
    res: ResponseSink,
    connection: SocketConnection,
    context: ServerContext,
    body?: BodySource,
  ) {
    this.#req = req
    this.#res = res
    this.#connection = connection
    this.#context = context
    this.cfg = context.cfg
    this.logger = context.logger
    // bound, not an arrow: a new closure per request would be compiled on its first call
    this.startResponse = this.#start.bind(this)
    this.environ = createEnviron(req, connection, this, context, body)
    this.#input = this.environ['wsgi.input']
  }

  /**
   * PEP 3333's `start_response`; see the `StartResponse` type for the rules
   * and response-head.ts for the head's. Header names and values are checked
   * by node:http as they go out.
   */
  readonly startResponse: StartResponse

  /** The WSGI `write`: sends a chunk and resolves when the client can take more. */
  get write(): Write {
    // bound, not an arrow: with an arrow stored on the response it captures, the whole
    // request survived young-generation collections until V8 optimised this code, and the
    // young generation grew for good (docs/performance.md, "Fourth pass")
    return (this.#write ??= this.send.bind(this))
  }

  #start(status: string, headers: Header[], excInfo?: unknown): Write {
    if (this.status !== undefined) {
      if (excInfo === undefined)
        throw new Error('start_response called a second time without excInfo')
      // PEP 3333: too late to change the response, so the error goes on up
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      if (this.headersSent) throw excInfo
    }
    const head = readHead(status, headers, this.cfg.server_software, this.logger)
    this.status = status
    this.statusCode = head.code
    this.#reason = head.reason
    this.#headers = head.headers
    this.contentLength = head.contentLength
    return this.write
  }

  /** Sends a chunk (the body writer's `write`); resolves when the client can take more. */
  send(data: Chunk): Promise<void> {
    if (this.status === undefined) throw new Error('write() called before start_response')
    if (this.#connection.detached) return RESOLVED
    if (this.aborted) return Promise.reject(new ClientDisconnected())
    if (byteLength(data) === 0) return RESOLVED
    if (!this.headersSent) this.#sendHead()
    return this.#res.write(data) ? RESOLVED : this.#watcher().drain()
  }

  /** The headers as they are (or will be) sent, `Server` included (node:http adds `Date`). */
  getHeaders(): readonly Header[] {
    return this.#headers
  }

  /**
   * The head exactly as it went out: the status line and every header, those
   * node:http adds (`Date`, `Connection`, `Transfer-Encoding`) included, with
   * the blank line that ends it; `undefined` until the headers are sent
   * (pulsar's `on_headers` event carries the same bytes).
   */
  get head(): string | undefined {
    if (!this.headersSent) return undefined
    // node:http keeps the head it wrote in `_header`: no public API gives it
    const head = (this.#res as { _header?: unknown })._header
    return typeof head === 'string' ? head : undefined
  }

  /** Whether the body uses chunked encoding: HTTP/1.1, a body, and no Content-Length. */
  isChunked(): boolean {
    return (
      this.#req.httpVersion === '1.1' &&
      this.contentLength === undefined &&
      this.#req.method !== 'HEAD' &&
      this.statusCode !== 204 &&
      this.statusCode !== 304
    )
  }

  /** Whether the client went away before the response was complete. */
  get aborted(): boolean {
    return this.#watch?.aborted ?? false
  }

  /** Aborted when the client goes away before the response is complete. */
  get signal(): AbortSignal {
    return this.#watcher().signal
  }

  /** Whether a protocol upgrade took the socket over. */
  get detached(): boolean {
    return this.#connection.detached
  }

  /** Answers the request with this error instead of running the application, then closes the connection. */
  refuse(error: Error): void {
    this.#refusal ??= error
  }

  /** Waits for a promise, giving up when the client goes away. */
  watch<T>(promise: PromiseLike<T>): Promise<T> {
    return this.#watcher().watch(promise)
  }

  /** Cuts the connection, unless the response was complete. */
  destroy(): void {
    if (!this.#res.writableFinished) this.#res.destroy()
  }

  /**
   * Runs an application for this request and sends its response; never
   * rejects. A synchronous application whose body is one chunk in hand (the
   * common case) is answered without a single promise.
   */
  run(app: WsgiApp): Promise<void> {
    const connection = this.#connection
    this.#sequence = ++connection.requests
    connection.active++
    try {
      if (this.#refusal !== undefined) throw this.#refusal
      const result = app(this.environ, this.startResponse)
      if (isThenable<Body>(result))
        return this.#settle(this.watch(result).then((body) => this.#send(body)))
      const sending = this.#send(result)
      if (sending) return this.#settle(sending)
      this.#done()
      return RESOLVED
    } catch (error) {
      return this.#recover(error)
    }
  }

  /**
   * Sends the last chunks and ends the response. When nothing went out yet,
   * the whole body is in hand: it is framed with a Content-Length.
   */
  end(chunks: readonly Chunk[] = NO_CHUNKS): void {
    if (this.status === undefined)
      throw new Error('The application returned without calling start_response')
    if (this.#connection.detached) return
    if (this.aborted) throw new ClientDisconnected()
    const res = this.#res
    if (!this.headersSent) {
      let length = 0
      for (const chunk of chunks) length += byteLength(chunk)
      const declared = this.contentLength
      if (this.statusCode === 204 || this.statusCode === 304) {
        // no body, whatever its length (RFC 9110 §6.4.1)
      } else if (declared === undefined) {
        this.contentLength = length
        this.#headers.push(['Content-Length', String(length)])
      } else if (declared !== length && (length > 0 || this.#req.method !== 'HEAD'))
        throw new Error(`The body has ${length} bytes, its Content-Length says ${declared}`)
      this.#sendHead()
    }
    const last = chunks.length - 1
    for (let i = 0; i < last; i++) res.write(chunks[i]!)
    if (last < 0) res.end()
    else res.end(chunks[last])
  }

  #send(body: Body): Promise<void> | undefined {
    this.#body = body
    if (this.aborted) return undefined
    return sendBody(this, body)
  }

  async #settle(work: Promise<void>): Promise<void> {
    try {
      await work
    } catch (error) {
      return this.#recover(error)
    }
    this.#done()
  }

  async #recover(error: unknown): Promise<void> {
    try {
      await recover(this, error)
    } finally {
      this.#done()
    }
  }

  /** The request is answered: close the body, and let a draining server know the connection is quiet. */
  #done(): void {
    this.#closeBody()
    const connection = this.#connection
    connection.active--
    if (this.#context.closing) connection.quiet(Date.now())
  }

  #sendHead(): void {
    const res = this.#res
    const connection = this.#connection
    if (
      mustClose({
        refused: this.#refusal !== undefined,
        input: this.#input,
        complete: this.#req.complete,
        closing: this.#context.closing,
        latest: this.#sequence === connection.requests,
      })
    )
      res.shouldKeepAlive = false
    // a body that does not match its Content-Length would desynchronise the connection
    if (this.contentLength !== undefined) res.strictContentLength = true
    res.writeHead(this.statusCode, this.#reason, this.#headers)
    this.headersSent = true
  }

  #watcher(): ClientWatch {
    return (this.#watch ??= new ClientWatch(this.#res, this.cfg.send_timeout, this.logger, () =>
      this.#abandon(),
    ))
  }

  /** The client went away: stop reading the body and close it. */
  #abandon(): void {
    if (this.iterator) stopIterator(this.iterator)
    this.#closeBody()
  }

  #closeBody(): void {
    const body = this.#body as Body | null | undefined
    // an application may return anything: only an object can have a close()
    if (typeof body !== 'object' || body === null) return
    this.#body = undefined
    if (typeof body.close !== 'function') return
    try {
      const result = body.close()
      if (isThenable(result))
        result.then(undefined, (error: unknown) => logError(this.logger, error, this.environ))
    } catch (error) {
      logError(this.logger, error, this.environ)
    }
  }
}
