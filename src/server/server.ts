/**
 * The gateway: node:http parses and frames; this file wires its `request`,
 * `checkContinue` and `upgrade` events (upgrade.ts) and, with the `http2`
 * setting, node:http2's sessions and streams (http2-gateway.ts) to the WSGI
 * application, and owns listening and graceful shutdown. `WSGIServer` (src/process/) is the
 * gateway as a program: its settings, its logger, `start()` and workers.
 * @module
 */
import cluster from 'node:cluster'
import { readFileSync } from 'node:fs'
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { Http2SecureServer, Http2Server } from 'node:http2'
import type { AddressInfo, Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'

import { toFunction } from '../wsgi/callable.js'
import type { Config } from '../wsgi/config.js'
import type {
  Callable,
  Logger,
  ServerHandle,
  ServerInfo,
  WsgiApp,
  WsgiErrors,
} from '../wsgi/types.js'
import { fixedLocal, parseBind, urlOf } from './bind.js'
import { SocketConnection } from './connection.js'
import type { BodySource } from './environ.js'
import { drain } from './shutdown.js'
import type { ServerContext } from './sink.js'
import { HttpServerResponse } from './start-response.js'
import { declaresBody } from './request-headers.js'
import { serveUpgrade } from './upgrade.js'

/**
 * The node:http gateway serving one WSGI application; `WSGIServer` extends
 * it with its settings, its logger and `start()`.
 */
export abstract class Gateway implements ServerHandle, ServerContext {
  /** The configuration in force (frozen). */
  cfg: Readonly<Config>
  /** True once `close()` was called. */
  closing = false
  /** `wsgi.errors`: what applications write there reaches the log as errors. */
  readonly errors: WsgiErrors = {
    write: (message) => this.logger.error(message.trimEnd()),
    flush: () => undefined,
  }
  readonly #app: WsgiApp
  #requests = 0
  #server: Server | undefined
  // set as listen() starts: its server is made after an await (the lazy imports below)
  #listening = false
  #http2: Http2Server | Http2SecureServer | undefined
  #closed: Promise<void> | undefined
  readonly #sockets = new Set<Socket>()
  readonly #connections = new Set<SocketConnection>()
  // not a property of the socket: one added there would give node:net's sockets a second
  // shape, and its own code would slow down on every call
  readonly #connectionOf = new WeakMap<Socket, SocketConnection>()
  readonly #closeHooks: (() => unknown)[] = []
  #forget: (this: Socket) => void = () => undefined
  // the address every connection comes in on, when the bind names one: no getsockname per connection
  #local: readonly [string, string] | undefined

  constructor(callable: Callable<WsgiApp>, cfg: Readonly<Config>) {
    this.#app = toFunction(callable, 'The WSGI application')
    this.cfg = cfg
  }

  /** The server's logger. */
  abstract get logger(): Logger

  /** Facts about the server and its process. */
  abstract info(): Promise<ServerInfo>

  /** Whether more than one process serves the application (`wsgi.multiprocess`). */
  get multiprocess(): boolean {
    return this.cfg.workers > 1
  }

  /**
   * The server that listens, once listening: node:http's, or with `http2`
   * h2, node:http2's TLS server, which serves HTTP/1.1 with node:http's events.
   */
  get httpServer(): Server | undefined {
    return this.#server
  }

  /**
   * The node:http2 server whose sessions the gateway serves, with the `http2`
   * setting; its `stream` event does not fire (each stream is read from its session).
   */
  get http2Server(): Http2Server | Http2SecureServer | undefined {
    return this.#http2
  }

  /** Where the server listens: `{ address, port }`, or the unix socket path. */
  get address(): AddressInfo | string | undefined {
    return this.#server?.address() ?? undefined
  }

  /** The base URL of the server, e.g. `http://127.0.0.1:8060`. */
  get url(): string | undefined {
    const address = this.address
    return address === undefined ? undefined : urlOf(address, this.cfg.key_file !== '')
  }

  /** Requests received since the server started listening. */
  get requests(): number {
    return this.#requests
  }

  /** Connections open now. */
  get connections(): number {
    return this.#sockets.size
  }

  /** Binds the configured address and serves; resolves once listening. */
  async listen(): Promise<this> {
    if (this.#listening) throw new Error('The server is already listening')
    this.#listening = true
    const cfg = this.cfg
    const bind = parseBind(cfg.bind)!
    const options = {
      maxHeaderSize: cfg.max_header_size,
      requireHostHeader: true,
      insecureHTTPParser: false,
      keepAlive: true,
      headersTimeout: cfg.headers_timeout * 1000,
      requestTimeout: cfg.request_timeout * 1000,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, cfg.headers_timeout * 250)),
    }
    // node:http2 and node:https (TLS and crypto with them) load only for a server that uses
    // them: 1.2 MB of RSS a plain HTTP/1.1 server does without (docs/performance.md)
    const http2 = cfg.http2
      ? (await import('./http2-server.js')).createHttp2Servers(cfg, options, {
          gateway: this,
          connections: this.#connections,
          serve: (req, res, body, connection, refusal) =>
            this.#serve(req, res, body, connection, refusal),
          http1: (socket) => this.#connection(socket),
        })
      : undefined
    const server = http2
      ? http2.server
      : cfg.key_file
        ? (await import('node:https')).createServer({
            ...options,
            key: readFileSync(cfg.key_file),
            cert: readFileSync(cfg.cert_file),
          })
        : createServer(options)
    // node:http's default stays: a client that half-closes is gone, so its
    // in-flight work is aborted at once (docs/server.md, "Half-closed clients")
    server.keepAliveTimeout = cfg.http_keep_alive * 1000
    if (cfg.max_connections) server.maxConnections = cfg.max_connections
    // one listener for every socket, which is its `this`: no closure per connection
    const sockets = this.#sockets
    const connections = this.#connections
    const connectionOf = this.#connectionOf
    this.#forget = function (this: Socket) {
      sockets.delete(this)
      const connection = connectionOf.get(this)
      if (connection) connections.delete(connection)
    }
    server.on('connection', (socket: Socket) => {
      sockets.add(socket)
      // 'close' comes once: `on` spares the wrapper `once` makes
      socket.on('close', this.#forget)
      if (!cfg.key_file && !cfg.http2) this.#connection(socket)
    })
    // with TLS, requests come on the TLS socket wrapping the accepted one; an
    // HTTP/2 one is its session's (http2-gateway.ts)
    server.on('secureConnection', (socket: TLSSocket) => {
      if (socket.alpnProtocol !== 'h2') this.#connection(socket)
    })
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.#request(req, res))
    server.on(
      'checkContinue',
      (req: IncomingMessage, res: ServerResponse) =>
        void this.#serve(req, res, { sendContinue: () => res.writeContinue() }),
    )
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
      serveUpgrade(req, socket, head, this.#connection(socket), cfg, (req, res, body) =>
        this.#serve(req, res, body),
      ),
    )
    this.#server = server
    this.#http2 = http2?.http2
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      const listening = () => {
        server.off('error', reject)
        resolve()
      }
      if ('path' in bind) server.listen({ path: bind.path, backlog: cfg.backlog }, listening)
      else server.listen({ host: bind.host, port: bind.port, backlog: cfg.backlog }, listening)
    })
    server.on('error', (error) => this.logger.error({ err: error }, 'Server error'))
    this.#local = fixedLocal(server.address())
    // with workers, the arbiter says where the service listens, once
    if (cluster.isWorker) this.logger.debug({ url: this.url }, `Worker listening on ${this.url}`)
    else this.logger.info({ url: this.url }, `pulsar-ts listening on ${this.url}`)
    return this
  }

  /** Registers work to do when the server starts closing (e.g. closing WebSockets with 1001). */
  onClose(hook: () => unknown): void {
    this.#closeHooks.push(hook)
  }

  /**
   * Graceful shutdown: stop accepting, let in-flight requests finish (their
   * responses close the connection), close connections once they are quiet,
   * and cut whatever is left after `graceful_timeout`.
   */
  close(): Promise<void> {
    if (this.#closed) return this.#closed
    this.closing = true
    const server = this.#server
    if (!server) return (this.#closed = Promise.resolve())
    for (const hook of this.#closeHooks) {
      try {
        void Promise.resolve(hook()).catch((error: unknown) =>
          this.logger.error({ err: error }, 'Close hook failed'),
        )
      } catch (error) {
        this.logger.error({ err: error }, 'Close hook failed')
      }
    }
    return (this.#closed = drain({
      server,
      connections: this.#connections,
      sockets: this.#sockets,
      deadline: this.cfg.graceful_timeout,
      logger: this.logger,
    }))
  }

  #connection(socket: Socket): SocketConnection {
    let connection = this.#connectionOf.get(socket)
    if (!connection) {
      connection = new SocketConnection(socket, this, this.#local)
      this.#connectionOf.set(socket, connection)
      this.#connections.add(connection)
      // a TLS socket, not the one 'connection' saw (it wraps it), tells its own close
      if (!this.#sockets.has(socket)) socket.on('close', this.#forget)
    }
    return connection
  }

  /**
   * A request with a body starts once node:http is done with what it read:
   * it emits the request before it parses on, and a body that came in the
   * same packets is then complete, for the application to read at once
   * (environ.ts).
   */
  #request(req: IncomingMessage, res: ServerResponse): void {
    if (declaresBody(req.rawHeaders)) setImmediate(() => void this.#serve(req, res))
    else void this.#serve(req, res)
  }

  #serve(
    req: IncomingMessage,
    res: ServerResponse,
    body?: BodySource,
    connection: SocketConnection = this.#connection(req.socket),
    refusal?: Error,
  ): Promise<void> {
    this.#requests++
    // RFC 9112 §7: never chunk for an HTTP/1.0 client, whatever its TE header says
    if (req.httpVersionMinor === 0) res.useChunkedEncodingByDefault = false
    const consumer = new HttpServerResponse(req, res, connection, this, body)
    if (refusal) consumer.refuse(refusal)
    if (this.cfg.access_log) {
      const started = performance.now()
      res.once('finish', () =>
        this.logger.info(
          {
            method: req.method,
            path: consumer.environ.PATH_INFO,
            status: res.statusCode,
            ms: +(performance.now() - started).toFixed(1),
          },
          'request',
        ),
      )
    }
    return consumer.run(this.#app)
  }
}
