/**
 * HttpServerResponse: pulsar's server-side consumer of one request. It owns
 * `start_response` and `write`, applies the framing rules, iterates the body
 * with backpressure, and turns failures into error responses.
 * @module
 */
import { isThenable } from './callable.js'
import type { Config } from './config.js'
import type { Connection } from './connection.js'
import { handleWsgiError, logError } from './error-page.js'
import { AbortWsgi, ClientDisconnected } from './errors.js'
import type { WsgiInput } from './input.js'
import type { Logger } from './logger.js'
import { headerRole, parseLength, parseStatus, serverHeader, warnDropped } from './response-head.js'
import { WsgiResponse } from './response.js'
import type { Body, Chunk, Environ, Header, StartResponse, WsgiApp, Write } from './types.js'

/** The part of node:http's `ServerResponse` a response is written through. */
export interface ResponseSink {
  writeHead(statusCode: number, statusMessage: string, headers: Header[]): unknown
  write(chunk: Chunk): boolean
  end(chunk?: Chunk): unknown
  writeContinue(): void
  destroy(error?: Error): unknown
  once(event: 'drain' | 'close', listener: () => void): unknown
  off(event: 'drain' | 'close', listener: () => void): unknown
  readonly writableFinished: boolean
  shouldKeepAlive: boolean
  strictContentLength: boolean
}

/** The request facts the response's framing depends on (an `IncomingMessage` has them). */
export interface RequestFacts {
  method?: string | undefined
  httpVersion: string
  /** Whether the whole request, body included, has been received. */
  complete: boolean
}

/** The server state a response consults. */
export interface ServerState {
  /** True once the server is shutting down: responses close their connection. */
  readonly closing: boolean
}

const RESOLVED = Promise.resolve()
const NO_HEADERS: Header[] = []
// an unread body up to this size is drained by node:http so the connection can be reused
const DRAINABLE_BODY = 65536

function byteLength(chunk: Chunk): number {
  return typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength
}

/** The server side of one request: `start_response`, `write`, and the body loop. */
export class HttpServerResponse {
  /** The environ of the request (see `attach()`). */
  environ!: Environ
  /** The status line given to `start_response`, e.g. `'200 OK'`. */
  status: string | undefined
  /** The numeric status, 0 until `start_response` is called. */
  statusCode = 0
  /** Whether the status line and headers went out to the client. */
  headersSent = false
  /** The Content-Length of the response, once known. */
  contentLength: number | undefined
  readonly cfg: Readonly<Config>
  readonly logger: Logger
  readonly #req: RequestFacts
  readonly #res: ResponseSink
  readonly #server: ServerState
  #reason = ''
  #headers: Header[] = NO_HEADERS
  #aborted = false
  #watching = false
  #body: Body | undefined
  #bodyClosed = false
  #iterator: Iterator<unknown> | AsyncIterator<unknown> | undefined
  #reject: ((error: Error) => void) | undefined
  #controller: AbortController | undefined
  #refusal: Error | undefined
  #connection!: Connection
  #input!: WsgiInput
  #sequence = 0

  constructor(
    req: RequestFacts,
    res: ResponseSink,
    cfg: Readonly<Config>,
    logger: Logger,
    server: ServerState,
  ) {
    this.#req = req
    this.#res = res
    this.cfg = cfg
    this.logger = logger
    this.#server = server
  }

  /**
   * PEP 3333's `start_response`; see the `StartResponse` type for the rules.
   * Header names and values are checked by node:http as they go out.
   */
  readonly startResponse: StartResponse = (status, headers, excInfo) => {
    if (this.status !== undefined) {
      if (excInfo === undefined)
        throw new Error('start_response called a second time without excInfo')
      // PEP 3333: too late to change the response, so the error goes on up
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      if (this.headersSent) throw excInfo
    }
    const [code, reason] = parseStatus(status)
    if (!Array.isArray(headers))
      throw new TypeError('Response headers must be a list of [name, value] pairs')
    // a copy: applications often reuse one header list for every response
    const list: Header[] = []
    let contentLength: number | undefined
    let hasServer = false
    for (const header of headers) {
      const role = headerRole(header[0])
      if (role === 'hop-by-hop') {
        warnDropped(header[0], this.logger)
        continue
      }
      if (role === 'content-length') {
        // RFC 9110 §8.6: no Content-Length on a 204
        if (code === 204) continue
        contentLength = parseLength(header[1])
      } else if (role === 'server') hasServer = true
      list.push(header)
    }
    if (!hasServer) list.push(serverHeader(this.cfg.server_software))
    this.status = status
    this.statusCode = code
    this.#reason = reason
    this.#headers = list
    this.contentLength = code === 204 ? undefined : contentLength
    return this.write
  }

  /** The WSGI `write`: sends a chunk and resolves when the client can take more. */
  readonly write: Write = (data) => {
    if (this.status === undefined) throw new Error('write() called before start_response')
    if (this.#connection.detached) return RESOLVED
    if (this.#aborted) return Promise.reject(new ClientDisconnected())
    if (byteLength(data) === 0) return RESOLVED
    if (!this.headersSent) this.#sendHeaders()
    return this.#res.write(data) ? RESOLVED : this.#drain()
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
    return this.#aborted
  }

  /** Aborted when the client goes away before the response is complete. */
  get signal(): AbortSignal {
    this.#controller ??= new AbortController()
    if (this.#aborted) this.#controller.abort(new ClientDisconnected())
    else this.#watchAbort()
    return this.#controller.signal
  }

  /** Ties the response to its request's environ; `createEnviron()` calls it. */
  attach(environ: Environ, connection: Connection, input: WsgiInput): void {
    this.environ = environ
    this.#connection = connection
    this.#input = input
  }

  /** Answers the request with this error instead of running the application, then closes the connection. */
  refuse(error: Error): void {
    this.#refusal ??= error
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
        return this.#settle(this.#watch(result).then((body) => this.#send(body)))
      const sending = this.#send(result)
      if (sending) return this.#settle(sending)
      this.#done()
      return RESOLVED
    } catch (error) {
      return this.#recover(error)
    }
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
      await this.#fail(error)
    } finally {
      this.#done()
    }
  }

  /** The request is answered: close the body, and let a draining server know the connection is quiet. */
  #done(): void {
    this.#closeBody()
    const connection = this.#connection
    connection.active--
    if (this.#server.closing) connection.quiet(Date.now())
  }

  /** Sends the application's body: at once when it is one chunk in hand, else as a stream. */
  #send(body: Body): Promise<void> | undefined {
    this.#body = body
    if (this.#aborted) return undefined
    const source = this.#source(body)
    if (Array.isArray(source) && source.length <= 1 && !isThenable(source[0])) {
      this.#end(source[0] as Chunk | undefined)
      return undefined
    }
    return this.#stream(source)
  }

  /** What to iterate for a body: a WsgiResponse is started if need be and hands over its chunks. */
  #source(body: Body): readonly Chunk[] | Body {
    if (body === null || typeof body !== 'object')
      throw new TypeError('The application must return an iterable body')
    if (!(body instanceof WsgiResponse)) return body
    // an application may return a WsgiResponse without starting it: start it here
    if (!body.started && this.status === undefined) body.start(this.environ, this.startResponse)
    return body.chunks()
  }

  async #stream(source: readonly Chunk[] | Body): Promise<void> {
    if (Array.isArray(source)) {
      const last = source.length - 1
      for (let i = 0; i < last; i++) await this.#writeChunk(source[i] as Chunk | PromiseLike<Chunk>)
      let chunk = source[last] as Chunk | PromiseLike<Chunk> | undefined
      if (isThenable<Chunk>(chunk)) chunk = await this.#watch(chunk)
      return this.#end(chunk)
    }
    if (Symbol.asyncIterator in source) {
      const iterator = (this.#iterator = source[Symbol.asyncIterator]())
      for (
        let step = await this.#watch(iterator.next());
        !step.done;
        step = await this.#watch(iterator.next())
      )
        await this.write(step.value)
    } else if (Symbol.iterator in source) {
      const iterator = (this.#iterator = source[Symbol.iterator]())
      for (let step = iterator.next(); !step.done; step = iterator.next())
        await this.#writeChunk(step.value)
    } else throw new TypeError('The application must return an iterable body')
    this.#iterator = undefined
    this.#end()
  }

  async #writeChunk(chunk: Chunk | PromiseLike<Chunk>): Promise<void> {
    const data = isThenable<Chunk>(chunk) ? await this.#watch(chunk) : chunk
    const drained = this.write(data)
    if (drained !== RESOLVED) await drained
  }

  #end(chunk?: Chunk): void {
    if (this.status === undefined)
      throw new Error('The application returned without calling start_response')
    if (this.#connection.detached) return
    if (this.#aborted) throw new ClientDisconnected()
    if (!this.headersSent) {
      // the whole body is in hand: frame it with a Content-Length
      if (this.contentLength === undefined && this.statusCode !== 204 && this.statusCode !== 304) {
        this.contentLength = chunk === undefined ? 0 : byteLength(chunk)
        this.#headers.push(['Content-Length', String(this.contentLength)])
      }
      this.#sendHeaders()
    }
    if (chunk === undefined) this.#res.end()
    else this.#res.end(chunk)
  }

  #sendHeaders(): void {
    const res = this.#res
    if (this.#refusal !== undefined || this.#unreadBody() || this.#draining())
      res.shouldKeepAlive = false
    // a body that does not match its Content-Length would desynchronise the connection
    if (this.contentLength !== undefined) res.strictContentLength = true
    res.writeHead(this.statusCode, this.#reason, this.#headers)
    this.headersSent = true
  }

  /**
   * While the server shuts down, the latest request on a connection tells the
   * client to close it; pipelined ones before it leave that to the idle sweep.
   */
  #draining(): boolean {
    return this.#server.closing && this.#sequence === this.#connection.requests
  }

  /** Whether the request still has a body coming that is too big (or too unknown) to drain. */
  #unreadBody(): boolean {
    const input = this.#input
    if (input.tooLarge) return true
    if (this.#req.complete || input.done) return false
    const length = input.length
    return length === undefined || length > DRAINABLE_BODY
  }

  #drain(): Promise<void> {
    this.#watchAbort()
    const res = this.#res
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.logger.debug('Dropped a client that stopped reading the response')
        res.destroy()
      }, this.cfg.send_timeout * 1000)
      const onDrain = () => {
        clearTimeout(timer)
        this.#reject = undefined
        resolve()
      }
      this.#reject = (error) => {
        clearTimeout(timer)
        res.off('drain', onDrain)
        reject(error)
      }
      res.once('drain', onDrain)
    })
  }

  /** Waits for a promise, but gives up as soon as the client goes away. */
  #watch<T>(promise: PromiseLike<T>): Promise<T> {
    this.#watchAbort()
    if (this.#aborted) return Promise.reject(new ClientDisconnected())
    return new Promise<T>((resolve, reject) => {
      this.#reject = reject
      promise.then(
        (value) => {
          this.#reject = undefined
          resolve(value)
        },
        (error: unknown) => {
          this.#reject = undefined
          // the application's own rejection travels on unchanged
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          reject(error)
        },
      )
    })
  }

  #watchAbort(): void {
    if (this.#watching) return
    this.#watching = true
    this.#res.once('close', () => {
      if (!this.#res.writableFinished) this.#abort()
    })
  }

  #abort(): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#controller?.abort(new ClientDisconnected())
    this.#reject?.(new ClientDisconnected())
    const iterator = this.#iterator
    if (iterator?.return) {
      try {
        const result = iterator.return()
        if (isThenable(result)) result.then(undefined, () => undefined)
      } catch {
        // the body is being abandoned: its own failure to stop changes nothing
      }
    }
    this.#closeBody()
  }

  async #fail(error: unknown): Promise<void> {
    const res = this.#res
    if (this.#connection.detached) {
      logError(this.logger, error, this.environ)
      return
    }
    if (this.#aborted || error instanceof AbortWsgi) {
      this.logger.debug(
        { path: this.environ.PATH_INFO },
        'Response abandoned: the client went away or the app aborted it',
      )
      if (!res.writableFinished) res.destroy()
      return
    }
    if (this.headersSent) {
      // too late for an error page: cut the connection so the client sees a truncated response
      logError(this.logger, error, this.environ)
      res.destroy()
      return
    }
    try {
      const response = handleWsgiError(this.environ, error)
      response.start(this.environ, this.startResponse, error)
      await this.#stream(response.chunks())
    } catch (second) {
      logError(this.logger, second, this.environ)
      res.destroy()
    }
  }

  #closeBody(): void {
    const body = this.#body
    if (this.#bodyClosed || body === undefined) return
    this.#bodyClosed = true
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
