/**
 * Builds the environ of a request: PEP 3333's keys, one `HTTP_*` key per
 * header, and pulsar's. It runs once per request, so it stays lean: one pass
 * over the raw headers and no URL object.
 * @module
 */
import type { Readable } from 'node:stream'

import type { Config } from './config.js'
import type { Connection } from './connection.js'
import { BadRequest } from './errors.js'
import { WsgiInput } from './input.js'
import type { HttpServerResponse } from './start-response.js'
import type { Environ, WsgiErrors } from './types.js'

/** A parsed request the environ is built from: its head and its body stream (an `IncomingMessage`). */
export interface IncomingRequest extends Readable {
  method?: string | undefined
  url?: string | undefined
  httpVersion: string
  rawHeaders: string[]
}

/** What stays the same for every request a server handles. */
export interface EnvironContext {
  cfg: Readonly<Config>
  errors: WsgiErrors
  multiprocess: boolean
}

const WSGI_VERSION = Object.freeze([1, 0] as const)
const KEY_CACHE_LIMIT = 1000
const keyCache = new Map<string, string>()

/** The environ key of a request header: `HTTP_X_FORWARDED_FOR` for `x-forwarded-for`. */
export function headerKey(name: string): string {
  let key = keyCache.get(name)
  if (key === undefined) {
    key = 'HTTP_' + name.toUpperCase().replaceAll('-', '_')
    if (keyCache.size < KEY_CACHE_LIMIT) keyCache.set(name, key)
  }
  return key
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

/**
 * Builds the environ of a request. A request no application should see (a
 * malformed path, two Host headers) is handed to `consumer.refuse()`.
 */
export function createEnviron(
  req: IncomingRequest,
  connection: Connection,
  consumer: HttpServerResponse,
  context: EnvironContext,
  sendContinue?: () => void,
): Environ {
  const { cfg } = context
  const rawUri = req.url ?? '/'
  let target = rawUri
  let scheme: 'http' | 'https' = connection.encrypted ? 'https' : 'http'
  if (target.charCodeAt(0) !== 47 /* / */ && target !== '*') {
    // absolute-form (RFC 9112 §3.2.2): the scheme and authority come first
    const match = /^(https?):\/\/[^/?#]*/i.exec(target)
    if (match) {
      if (match[1]!.toLowerCase() === 'https') scheme = 'https'
      target = target.slice(match[0].length) || '/'
    } else consumer.refuse(new BadRequest('Malformed request target'))
  }
  const q = target.indexOf('?')
  const [remoteAddr, remotePort] = connection.remote
  const [serverName, serverPort] = connection.local
  const environ: Environ = {
    REQUEST_METHOD: req.method ?? 'GET',
    SCRIPT_NAME: '',
    PATH_INFO: q < 0 ? target : target.slice(0, q),
    QUERY_STRING: q < 0 ? '' : target.slice(q + 1),
    RAW_URI: rawUri,
    CONTENT_TYPE: '',
    SERVER_NAME: serverName,
    SERVER_PORT: serverPort,
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    SERVER_SOFTWARE: cfg.server_software,
    REMOTE_ADDR: remoteAddr,
    REMOTE_PORT: remotePort,
    'wsgi.version': WSGI_VERSION,
    'wsgi.url_scheme': scheme,
    'wsgi.input': undefined as unknown as WsgiInput,
    'wsgi.errors': context.errors,
    'wsgi.multithread': false,
    'wsgi.multiprocess': context.multiprocess,
    'wsgi.run_once': false,
    'wsgi.async': true,
    'pulsar.connection': connection,
    'pulsar.cfg': cfg,
    'pulsar.cache': consumer,
  }
  try {
    environ.PATH_INFO = decodePath(environ.PATH_INFO)
    addHeaders(environ, req.rawHeaders)
  } catch (error) {
    consumer.refuse(error)
  }
  const length = environ.CONTENT_LENGTH
  environ['wsgi.input'] = new WsgiInput(req, {
    length: length === undefined ? undefined : Number(length),
    limit: cfg.stream_buffer,
    sendContinue,
  })
  if (cfg.trust_proxy) applyProxyHeaders(environ)
  if (environ['wsgi.url_scheme'] === 'https') environ.HTTPS = 'on'
  return environ
}

function addHeaders(environ: Environ, raw: string[]): void {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!
    const value = raw[i + 1]!
    // `X_Forwarded_For` would pose as `X-Forwarded-For`: drop names with underscores
    if (name.includes('_')) continue
    const key = headerKey(name)
    if (key === 'HTTP_CONTENT_TYPE') environ.CONTENT_TYPE = value
    else if (key === 'HTTP_CONTENT_LENGTH') environ.CONTENT_LENGTH = value
    else {
      const previous = environ[key] as string | undefined
      if (previous === undefined) environ[key] = value
      // RFC 9112 §3.2: more than one Host is a 400
      else if (key === 'HTTP_HOST') throw new BadRequest('More than one Host header')
      // RFC 9110 §5.3 joins repeated fields with commas; RFC 6265 §5.4 joins cookies with "; "
      else environ[key] = previous + (key === 'HTTP_COOKIE' ? '; ' : ', ') + value
    }
  }
}

function applyProxyHeaders(environ: Environ): void {
  const proto = environ.HTTP_X_FORWARDED_PROTO?.split(',')[0]?.trim().toLowerCase()
  if (proto === 'https' || proto === 'wss') environ['wsgi.url_scheme'] = 'https'
  else if (proto === 'http' || proto === 'ws') environ['wsgi.url_scheme'] = 'http'
  // the last entry is the one the proxy next to us added
  const client = environ.HTTP_X_FORWARDED_FOR?.split(',').pop()?.trim()
  if (client) environ.REMOTE_ADDR = client
}
