/**
 * WSGIServer: the HTTP/1.1 gateway. node:http parses and frames; this file
 * wires its `request`, `checkContinue` and `upgrade` events to the WSGI
 * application, and owns listening and graceful shutdown.
 * @module
 */
import cluster from 'node:cluster'
import { readFileSync } from 'node:fs'
import { type IncomingMessage, type Server, ServerResponse, createServer } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { basename } from 'node:path'

import { toFunction } from './callable.js'
import type { Arbiter, ClusterInfo, ProcessInfo } from './arbiter.js'
import { type Config, parseBind, resolveConfig } from './config.js'
import { Connection } from './connection.js'
import { type EnvironContext, createEnviron } from './environ.js'
import { type Logger, createLogger } from './logger.js'
import { runProgram } from './program.js'
import { drain } from './shutdown.js'
import { HttpServerResponse } from './start-response.js'
import type { Callable, WsgiApp } from './types.js'
import { version } from './version.js'
import { askCluster } from './worker.js'

/** Settings (any row of the settings table) plus what only code can give. */
export type ServerOptions = Partial<Config> & {
  /** A pino-compatible logger to use instead of creating one. */
  logger?: Logger
}

/** What `WSGIServer.info()` reports. */
export interface ServerInfo extends ProcessInfo {
  software: string
  version: string
  node: string
  url: string | undefined
  /** The `workers` setting. */
  workers: number
  /** Every worker's figures, when this process is a worker. */
  cluster?: ClusterInfo
}

const kConnection = Symbol('pulsar.connection')
type TrackedSocket = Socket & { [kConnection]?: Connection }

/** The asynchronous WSGI server: `new WSGIServer(app).start()`. */
export class WSGIServer {
  /** The configuration in force (frozen); `start()` adds the command line, env and config file. */
  cfg: Readonly<Config>
  /** True once `close()` was called. */
  closing = false
  /** The arbiter this process became, when `start()` ran with `workers` >= 1. */
  arbiter: Arbiter | undefined
  readonly #app: WsgiApp
  readonly #options: Partial<Config>
  readonly #ownLogger: boolean
  #logger: Logger | undefined
  #requests = 0
  #server: Server | undefined
  #context: EnvironContext | undefined
  #closed: Promise<void> | undefined
  readonly #sockets = new Set<Socket>()
  readonly #connections = new Set<Connection>()
  readonly #closeHooks: (() => unknown)[] = []

  constructor(callable: Callable<WsgiApp>, options: ServerOptions = {}) {
    const { logger, ...settings } = options
    this.#app = toFunction(callable, 'The WSGI application')
    this.#options = settings
    this.#logger = logger
    this.#ownLogger = logger !== undefined
    this.cfg = resolveConfig(settings)
  }

  /** The server's logger. */
  get logger(): Logger {
    return (this.#logger ??= createLogger(this.cfg))
  }

  /** The node:http server, once listening. */
  get httpServer(): Server | undefined {
    return this.#server
  }

  /** Where the server listens: `{ address, port }`, or the unix socket path. */
  get address(): AddressInfo | string | undefined {
    return this.#server?.address() ?? undefined
  }

  /** The base URL of the server, e.g. `http://127.0.0.1:8060`. */
  get url(): string | undefined {
    const address = this.address
    if (address === undefined) return undefined
    if (typeof address === 'string') return `unix:${address}`
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
    return `${this.cfg.key_file ? 'https' : 'http'}://${host}:${address.port}`
  }

  /**
   * Runs the server as a program: reads the command line (`--help` prints the
   * settings and exits), `PULSAR_*` variables and the config file; then
   * serves in this process and drains on SIGTERM or SIGINT, or, with
   * `workers` >= 1, becomes the arbiter of that many workers, each of which
   * runs this same program (docs/workers.md).
   */
  async start(
    argv: string[] = process.argv.slice(2),
    usage = `node ${basename(process.argv[1] ?? 'server')}`,
  ): Promise<this> {
    this.arbiter = await runProgram(this, argv, usage)
    return this
  }

  /** Applies settings on top of the constructor's options (lowest precedence first). */
  configure(...sources: Partial<Record<keyof Config, unknown>>[]): void {
    if (this.#server) throw new Error('Configure the server before it listens')
    this.cfg = resolveConfig(this.#options, ...sources)
    if (!this.#ownLogger) this.#logger = undefined
  }

  /** Requests received since the server started listening. */
  get requests(): number {
    return this.#requests
  }

  /** Connections open now. */
  get connections(): number {
    return this.#sockets.size
  }

  /**
   * Facts about the server and its process; in a worker, also every worker's
   * figures as the arbiter last heard them.
   */
  async info(): Promise<ServerInfo> {
    const cluster = await askCluster()
    return {
      software: this.cfg.server_software,
      version,
      node: process.version,
      url: this.url,
      pid: process.pid,
      uptime: process.uptime(),
      requests: this.#requests,
      connections: this.#sockets.size,
      workers: this.cfg.workers,
      ...(cluster ? { cluster } : {}),
    }
  }

  /** Binds the configured address and serves; resolves once listening. */
  async listen(): Promise<this> {
    if (this.#server) throw new Error('The server is already listening')
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
    const server = cfg.key_file
      ? createTlsServer({
          ...options,
          key: readFileSync(cfg.key_file),
          cert: readFileSync(cfg.cert_file),
        })
      : createServer(options)
    // node:http's default stays: a client that half-closes is gone, so its
    // in-flight work is aborted at once (docs/server.md, "Half-closed clients")
    server.keepAliveTimeout = cfg.http_keep_alive * 1000
    if (cfg.max_connections) server.maxConnections = cfg.max_connections
    this.#context = {
      cfg,
      multiprocess: cfg.workers > 1,
      errors: {
        write: (message) => this.logger.error(message.trimEnd()),
        flush: () => undefined,
      },
    }
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket)
      socket.once('close', () => this.#sockets.delete(socket))
      if (!cfg.key_file) this.#connection(socket)
    })
    // with TLS, requests come on the TLS socket wrapping the accepted one
    server.on('secureConnection', (socket: Socket) => this.#connection(socket))
    server.on(
      'request',
      (req: IncomingMessage, res: ServerResponse) => void this.#serve(req, res, false),
    )
    server.on(
      'checkContinue',
      (req: IncomingMessage, res: ServerResponse) => void this.#serve(req, res, true),
    )
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
      this.#upgrade(req, socket, head),
    )
    this.#server = server
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

  #connection(socket: TrackedSocket): Connection {
    let connection = socket[kConnection]
    if (!connection) {
      const created = (connection = socket[kConnection] = new Connection(socket, this))
      this.#connections.add(created)
      socket.once('close', () => this.#connections.delete(created))
    }
    return connection
  }

  #serve(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): Promise<void> {
    this.#requests++
    // RFC 9112 §7: never chunk for an HTTP/1.0 client, whatever its TE header says
    if (req.httpVersionMinor === 0) res.useChunkedEncodingByDefault = false
    const consumer = new HttpServerResponse(req, res, this.cfg, this.logger, this)
    const connection = this.#connection(req.socket)
    const sendContinue = expectContinue ? () => res.writeContinue() : undefined
    const environ = createEnviron(req, connection, consumer, this.#context!, sendContinue)
    if (this.cfg.access_log) {
      const started = performance.now()
      res.once('finish', () =>
        this.logger.info(
          {
            method: req.method,
            path: environ.PATH_INFO,
            status: res.statusCode,
            ms: +(performance.now() - started).toFixed(1),
          },
          'request',
        ),
      )
    }
    return consumer.run(this.#app)
  }

  /**
   * An upgrade request runs through the application like any other. A
   * protocol handler takes the socket over (`connection.takeOver()`);
   * otherwise the application's answer is written and the socket closed.
   */
  #upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const connection = this.#connection(socket)
    connection.upgrade = { request: req, socket, head }
    // node:http no longer watches this socket: errors and stalls are ours now
    socket.on('error', destroySocket)
    const timer = setTimeout(cutUpgrade, this.cfg.request_timeout * 1000, connection)
    const res = new ServerResponse(req)
    res.shouldKeepAlive = false
    res.assignSocket(socket)
    res.once('finish', endSocket)
    void this.#serve(req, res, false).finally(() => {
      clearTimeout(timer)
      connection.upgrade = undefined
      if (!connection.detached && !res.writableFinished) socket.destroy()
    })
  }
}

// listeners shared by every upgraded socket, so none keeps the request's scope alive
function destroySocket(this: Socket): void {
  this.destroy()
}

function endSocket(this: ServerResponse): void {
  this.socket?.destroySoon()
}

function cutUpgrade(connection: Connection): void {
  if (!connection.detached) connection.socket.destroy()
}
