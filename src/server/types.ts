/**
 * The asynchronous WSGI contract: the types every application, middleware and
 * server in pulsar-ts agree on. See docs/contract.md for the rules in prose.
 * @module
 */
import type { Config } from './config.js'
import type { Connection } from './connection.js'
import type { HttpServerResponse } from './start-response.js'
import type { WsgiInput } from './input.js'
import type { WsgiResponse } from './response.js'

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
  'pulsar.cfg': Config
  /** The per-request consumer (pulsar 2.0's name): status, headers, abort signal. */
  'pulsar.cache': HttpServerResponse
  [key: `HTTP_${string}`]: string | undefined
  [key: string]: unknown
}

/** `wsgi.errors`: a text sink that reaches the server's log. */
export interface WsgiErrors {
  write(message: string): void
  flush(): void
}

/** An application handler: plain WSGI, or asynchronous as pulsar allows. */
export type WsgiApp = (environ: Environ, startResponse: StartResponse) => Body | PromiseLike<Body>

/** A request middleware: returns `undefined` to let the next one answer. */
export type Middleware = (
  environ: Environ,
  startResponse: StartResponse,
) => Body | undefined | PromiseLike<Body | undefined>

/** A response middleware: returns a replacement response, or `undefined` to keep it. */
export type ResponseMiddleware = (
  environ: Environ,
  response: WsgiResponse,
) => WsgiResponse | undefined | PromiseLike<WsgiResponse | undefined>

/**
 * An object that implements a callable as its `handle` method, so instances
 * (a `WsgiHandler`, a `Router`, a `GZipMiddleware`...) are passed as they are.
 */
export interface Handles<F extends (...args: never[]) => unknown> {
  handle: F
}

/** A function or an object with a `handle` method. */
export type Callable<F extends (...args: never[]) => unknown> = F | Handles<F>
