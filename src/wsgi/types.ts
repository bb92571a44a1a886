/**
 * The asynchronous WSGI contract: the types every application, middleware and
 * server in pulsar-ts agree on, and the small interfaces through which an
 * application sees the gateway (its input, its connection, its server, its
 * response's state and a logger). See docs/contract.md for the rules in prose.
 * @module
 */
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'

import type { Config } from './config.js'

/** A piece of a response body; strings are encoded as UTF-8. */
export type Chunk = Uint8Array | string

/**
 * A response body: a sync iterable of chunks or promised chunks, or an async
 * iterable of chunks (a Node `Readable` is one). If it has a `close()` method
 * the server calls it exactly once, whatever happened.
 */
export type Body = (Iterable<Chunk | PromiseLike<Chunk>> | AsyncIterable<Chunk>) & {
  close?: () => unknown
}

/** A response header as a `[name, value]` pair. */
export type Header = [string, string]

/** Writes a chunk of the body; resolves when the socket can take more. */
export type Write = (data: Chunk) => Promise<void>

/**
 * PEP 3333's `start_response`: sets the status line (`'200 OK'`) and the
 * headers. A second call needs `excInfo`, and rethrows it once the headers
 * went out.
 */
export type StartResponse = (status: string, headers: Header[], excInfo?: unknown) => Write

/**
 * The request as seen by an application: PEP 3333's CGI keys, one `HTTP_*`
 * key per request header, the `wsgi.*` keys and pulsar's own. Middleware may
 * add keys of its own.
 */
export interface Environ {
  REQUEST_METHOD: string
  SCRIPT_NAME: string
  /** The percent-decoded path. */
  PATH_INFO: string
  QUERY_STRING: string
  /** The request target exactly as the client sent it. */
  RAW_URI: string
  CONTENT_TYPE: string
  CONTENT_LENGTH?: string
  SERVER_NAME: string
  SERVER_PORT: string
  SERVER_PROTOCOL: string
  SERVER_SOFTWARE: string
  REMOTE_ADDR: string
  REMOTE_PORT: string
  HTTPS?: 'on'
  'wsgi.version': readonly [1, 0]
  'wsgi.url_scheme': 'http' | 'https'
  'wsgi.input': WsgiInput
  'wsgi.errors': WsgiErrors
  'wsgi.multithread': boolean
  'wsgi.multiprocess': boolean
  'wsgi.run_once': boolean
  /** True while the body is still to be read asynchronously. */
  'wsgi.async'?: boolean
  /** The Connection serving the request: addresses, socket, upgrade support. */
  'pulsar.connection': Connection
  /** The server's frozen configuration. */
  'pulsar.cfg': Readonly<Config>
  /** The per-request consumer (pulsar 2.0's name): status, headers, abort signal, logger. */
  'pulsar.cache': ResponseConsumer
  [key: `HTTP_${string}`]: string | undefined
  [key: string]: unknown
}

/** `wsgi.errors`: a text sink that reaches the server's log. */
export interface WsgiErrors {
  write(message: string): void
  flush(): void
}

/**
 * `wsgi.input`: the request body, read asynchronously with `read(n?)`,
 * `readline()`, `text()`, `json()` or `for await`, within the server's
 * `stream_buffer` limit (a 413 past it).
 */
export interface WsgiInput extends AsyncIterable<Buffer> {
  /** The body's length: its Content-Length, 0 when there is no body, `undefined` when chunked. */
  readonly length: number | undefined
  /** Bytes received from the client so far. */
  readonly bytesReceived: number
  /** Whether the whole body has been read. */
  readonly done: boolean
  /** Set when the body went over the limit: the connection cannot be reused. */
  readonly tooLarge: boolean
  /** Reads `size` bytes (fewer only at the end), or the whole rest of the body. */
  read(size?: number): Promise<Buffer>
  /** Reads up to and including the next `\n`, or the rest of the body. */
  readline(): Promise<Buffer>
  /** The rest of the body as text. */
  text(encoding?: BufferEncoding): Promise<string>
  /** The rest of the body parsed as JSON; malformed, empty or too deeply nested JSON (`max_json_depth`) is a 400. */
  json(): Promise<unknown>
  /** Refuses an `Expect: 100-continue` request: throws 417 and never asks for the body. */
  fail(): never
}

type LogFn = {
  (message: string): void
  (fields: object, message?: string): void
}

/** The logger interface pulsar-ts writes to (pino's, and any compatible one). */
export interface Logger {
  fatal: LogFn
  error: LogFn
  warn: LogFn
  info: LogFn
  debug: LogFn
  trace: LogFn
  child(bindings: Record<string, unknown>): Logger
}

/** What a protocol upgrade (e.g. a WebSocket) takes over from the HTTP server. */
export interface Upgrade {
  /** The upgrade request, as node:http parsed it. */
  request: IncomingMessage
  /** The raw socket; after `takeOver()` nothing else writes to it. */
  socket: Socket
  /** Bytes the client sent after the request head. */
  head: Buffer
}

/** `pulsar.connection`: the client connection serving a request, shared by the requests it carries. */
export interface Connection {
  /** A number unique to this connection within the process. */
  readonly id: number
  readonly socket: Socket
  /** The server the connection came in through (absent for made-up requests). */
  readonly server: ServerHandle | undefined
  /** Whether the connection is TLS. */
  readonly encrypted: boolean
  /** The client's address and port (empty for a unix socket). */
  readonly remote: readonly [address: string, port: string]
  /** The server's address and port on this connection (for a unix socket, the path and ''). */
  readonly local: readonly [address: string, port: string]
  /** The pending upgrade, present only while an upgrade request is being answered. */
  readonly upgrade: Upgrade | undefined
  /** Set once a protocol handler took the socket over. */
  readonly detached: boolean
  /** Requests received on this connection so far, the current one included. */
  readonly requests: number
  /**
   * Takes the socket over for a protocol upgrade: the server writes no HTTP
   * response for this request and the caller owns the socket from now on.
   */
  takeOver(): Upgrade
}

/** One process's figures. */
export interface ProcessInfo {
  pid: number
  /** Seconds since it started. */
  uptime: number
  requests: number
  connections: number
}

/** What the arbiter knows of itself and its workers. */
export interface ClusterInfo {
  arbiter: { pid: number; uptime: number }
  workers: (ProcessInfo & { id: number })[]
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

/** The server a connection came through, as applications see it. */
export interface ServerHandle {
  readonly logger: Logger
  /** True once the server started closing. */
  readonly closing: boolean
  /** Registers work to do when the server starts closing (e.g. closing WebSockets with 1001). */
  onClose(hook: () => unknown): void
  /** Closes the server gracefully; resolves once it drained. */
  close(): Promise<void>
  /** Facts about the server and its process. */
  info(): Promise<ServerInfo>
}

/** `pulsar.cache`: the server side of one request, as its application sees it. */
export interface ResponseConsumer {
  readonly logger: Logger
  /** The status line given to `start_response`, e.g. `'200 OK'`. */
  readonly status: string | undefined
  /** The numeric status, 0 until `start_response` is called. */
  readonly statusCode: number
  /** Whether the status line and headers went out to the client. */
  readonly headersSent: boolean
  /** Whether the client went away before the response was complete. */
  readonly aborted: boolean
  /** Aborted when the client goes away before the response is complete. */
  readonly signal: AbortSignal
  /** The WSGI `write` of the request (throws before `start_response`). */
  readonly write: Write
  /**
   * The head exactly as it went out, the blank line that ends it included
   * (HTTP/1.x); `undefined` until the headers are sent.
   */
  readonly head: string | undefined
  /** The headers as they are (or will be) sent, `Server` included. */
  getHeaders(): readonly Header[]
  /** Whether the body uses chunked encoding. */
  isChunked(): boolean
}

/** An application handler: plain WSGI, or asynchronous as pulsar allows. */
export type WsgiApp = (environ: Environ, startResponse: StartResponse) => Body | PromiseLike<Body>

/** A request middleware: returns `undefined` to let the next one answer. */
export type Middleware = (
  environ: Environ,
  startResponse: StartResponse,
) => Body | undefined | PromiseLike<Body | undefined>

/**
 * An object that implements a callable as its `handle` method, so instances
 * (a `WsgiHandler`, a `Router`, a `GZipMiddleware`...) are passed as they are.
 */
export interface Handles<F extends (...args: never[]) => unknown> {
  handle: F
}

/** A function or an object with a `handle` method. */
export type Callable<F extends (...args: never[]) => unknown> = F | Handles<F>
