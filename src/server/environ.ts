/**
 * Builds the environ of a request: PEP 3333's keys, one `HTTP_*` key per
 * header, and pulsar's. It runs once per request, so it stays lean: one pass
 * over the raw headers and no URL object.
 * @module
 */
import { isIPv6 } from 'node:net'
import type { Readable } from 'node:stream'

import type { Config } from '../wsgi/config.js'
import { BadRequest } from '../wsgi/errors.js'
import type { Connection, Environ, ResponseConsumer, WsgiErrors, WsgiInput } from '../wsgi/types.js'
import { BufferedInput } from '../wsgi/buffered-input.js'
import { StreamInput } from './input.js'
import { addHeaders } from './request-headers.js'

/** A parsed request the environ is built from: its head and its body stream (an `IncomingMessage`). */
export interface IncomingRequest extends Readable {
  method?: string | undefined
  url?: string | undefined
  httpVersion: string
  rawHeaders: string[]
  /** The headers as node:http joins them (an HTTP/2 request has only `rawHeaders`). */
  headers?: Record<string, string | string[] | undefined>
  /** Whether the whole request, body included, has been received. */
  complete: boolean
}

/** What stays the same for every request a server handles. */
export interface EnvironContext {
  cfg: Readonly<Config>
  errors: WsgiErrors
  multiprocess: boolean
}

const WSGI_VERSION = Object.freeze([1, 0] as const)
// RFC 3986's authority as a request carries it: a name or an IPv4 address (the characters
// of a reg-name, without percent-encoding, which no URL parser takes in a host), or an
// IPv6 literal; then an optional port
const AUTHORITY = /^(?:\[([0-9A-Fa-f:.]+)\]|[A-Za-z0-9\-._~!$&'()*+,;=]+)(?::(\d{0,5}))?$/
let lastValidHost = ''

/**
 * Whether a Host header (or the authority of an absolute-form target) is one
 * (RFC 9112 §3.2, RFC 3986 §3.2): empty, or a host and a port up to 65535.
 * Anything else (spaces, a path, userinfo, `[::1`) is a 400.
 */
export function isValidHost(host: string): boolean {
  // a server sees the same Host on request after request: the last valid one is known
  if (host === lastValidHost || host === '') return true
  const match = AUTHORITY.exec(host)
  if (match === null) return false
  if (match[1] !== undefined && !isIPv6(match[1])) return false
  if (match[2] !== undefined && Number(match[2]) > 65535) return false
  lastValidHost = host
  return true
}

/** Percent-decodes a path; a malformed or non-UTF-8 escape is a 400. */
export function decodePath(path: string): string {
  if (!path.includes('%')) return path
  try {
    return decodeURIComponent(path)
  } catch {
    throw new BadRequest('Malformed percent-encoding in the request path')
  }
}

/** Where a body comes from when it is not the request stream itself, and how to ask for it. */
export interface BodySource {
  /** The body's bytes (an upgrade request's, which node:http does not decode). */
  stream?: Readable
  /** Sends `100 Continue`; given only when the client sent `Expect: 100-continue`. */
  sendContinue?: () => void
}

/** The consumer an environ is built for: it answers the request, or refuses it. */
export interface Refusable extends ResponseConsumer {
  /** Answers the request with this error instead of running the application. */
  refuse(error: Error): void
}

/**
 * Builds the environ of a request. A request no application should see (a
 * malformed path, two Host headers) is handed to `consumer.refuse()`.
 */
export function createEnviron(
  req: IncomingRequest,
  connection: Connection,
  consumer: Refusable,
  context: EnvironContext,
  body?: BodySource,
): Environ {
  const { cfg } = context
  const rawUri = req.url ?? '/'
  let target = rawUri
  // the scheme is the connection's (or a trusted proxy's): never what the client writes
  let scheme: 'http' | 'https' = connection.encrypted ? 'https' : 'http'
  let authority: string | undefined
  if (target.charCodeAt(0) !== 47 /* / */ && target !== '*') {
    // absolute-form (RFC 9112 §3.2.2): its authority, not the Host header, names the host
    const match = /^https?:\/\/([^/?#]*)/i.exec(target)
    if (match && isValidHost((authority = match[1]!)) && authority !== '')
      target = target.slice(match[0].length) || '/'
    else consumer.refuse(new BadRequest('Malformed request target'))
  }
  // one pass finds the query and whether the path has escapes to decode
  let q = -1
  let escaped = false
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i)
    if (c === 63 /* ? */) {
      q = i
      break
    }
    if (c === 37 /* % */) escaped = true
  }
  const remote = connection.remote
  const local = connection.local
  const version = req.httpVersion
  const environ: Environ = {
    REQUEST_METHOD: req.method ?? 'GET',
    SCRIPT_NAME: '',
    PATH_INFO: q < 0 ? target : target.slice(0, q),
    QUERY_STRING: q < 0 ? '' : target.slice(q + 1),
    RAW_URI: rawUri,
    // set from the headers below, '' when there is none
    CONTENT_TYPE: undefined as unknown as string,
    SERVER_NAME: local[0],
    SERVER_PORT: local[1],
    SERVER_PROTOCOL: version === '1.1' ? 'HTTP/1.1' : `HTTP/${version}`,
    SERVER_SOFTWARE: cfg.server_software,
    REMOTE_ADDR: remote[0],
    REMOTE_PORT: remote[1],
    'wsgi.version': WSGI_VERSION,
    'wsgi.url_scheme': scheme,
    'wsgi.input': undefined as unknown as StreamInput,
    'wsgi.errors': context.errors,
    'wsgi.multithread': false,
    'wsgi.multiprocess': context.multiprocess,
    'wsgi.run_once': false,
    'pulsar.connection': connection,
    'pulsar.cfg': cfg,
    'pulsar.cache': consumer,
  }
  try {
    if (escaped) environ.PATH_INFO = decodePath(environ.PATH_INFO)
    addHeaders(environ, req.rawHeaders)
    if (authority !== undefined) environ.HTTP_HOST = authority
    else if (environ.HTTP_HOST !== undefined && !isValidHost(environ.HTTP_HOST))
      throw new BadRequest('Invalid Host header')
  } catch (error) {
    consumer.refuse(error as Error)
  }
  environ.CONTENT_TYPE ??= ''
  const input = (environ['wsgi.input'] = inputOf(req, environ, cfg, body))
  // pulsar's flag: present while the body is still to be read asynchronously
  if (input instanceof StreamInput) environ['wsgi.async'] = true
  if (cfg.trust_proxy) scheme = applyProxyHeaders(environ)
  if (scheme === 'https') environ.HTTPS = 'on'
  return environ
}

/** Applies X-Forwarded-Proto and X-Forwarded-For; returns the scheme. */
function applyProxyHeaders(environ: Environ): 'http' | 'https' {
  const proto = environ.HTTP_X_FORWARDED_PROTO?.split(',')[0]?.trim().toLowerCase()
  if (proto === 'https' || proto === 'wss') environ['wsgi.url_scheme'] = 'https'
  else if (proto === 'http' || proto === 'ws') environ['wsgi.url_scheme'] = 'http'
  // the last entry is the one the proxy next to us added
  const client = environ.HTTP_X_FORWARDED_FOR?.split(',').pop()?.trim()
  if (client) environ.REMOTE_ADDR = client
  return environ['wsgi.url_scheme']
}

// a request without a body, the most common, shares one input that reads nothing
const NO_BODY = new BufferedInput(Buffer.alloc(0))

/**
 * `wsgi.input` for a request: nothing to read without a body; the body in
 * memory when it all arrived with the request (node:http read it from the
 * same packets), so an application can read it at once (`wsgi.async`
 * absent); else a stream read as the application asks, within `limit`.
 */
function inputOf(
  req: IncomingRequest,
  environ: Environ,
  cfg: Readonly<Config>,
  body: BodySource | undefined,
): WsgiInput {
  const limit = cfg.stream_buffer
  const declared = environ.CONTENT_LENGTH
  // RFC 9112 §6.3: no Content-Length and no Transfer-Encoding means no body
  const length =
    declared !== undefined ? Number(declared) : environ.HTTP_TRANSFER_ENCODING ? undefined : 0
  if (length === 0 && body?.stream === undefined) return NO_BODY
  if (req.complete && body === undefined && req.readableLength <= limit && !req.readableDidRead)
    return new BufferedInput((req.read() as Buffer | null) ?? Buffer.alloc(0), cfg.max_json_depth)
  return new StreamInput(body?.stream ?? req, {
    length,
    limit,
    sendContinue: body?.sendContinue,
    jsonDepth: cfg.max_json_depth,
  })
}
