/**
 * The opening handshake (RFC 6455 §4.2): the checks a request must pass
 * before the 101, each refused with its HTTP status through the WSGI chain,
 * and the 101 itself as a response that response middleware may add headers to.
 * @module
 */
import { validateHeaderName, validateHeaderValue } from 'node:http'

import { BadRequest, PermissionDenied } from '../wsgi/errors.js'
import { httpDate } from '../wsgi/http-date.js'
import type { WsgiRequest } from '../wsgi/request.js'
import { WsgiResponse } from '../wsgi/response.js'
import type { Environ, StartResponse } from '../wsgi/types.js'
import { checkExtensions, parseProtocols } from './engine.js'
import type { ResolvedOptions } from './options.js'

// RFC 6455 §4.1: 16 random bytes, base64
const KEY = /^[+/0-9A-Za-z]{22}==$/
const VERSION = '13'

// headers of the 101 the engine writes itself, or that a 101 must not carry
const ENGINE_HEADERS = new Set([
  'upgrade',
  'connection',
  'sec-websocket-accept',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
  'content-length',
  'content-type',
  'transfer-encoding',
])

function hasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false
  for (const part of value.split(',')) if (part.trim().toLowerCase() === token) return true
  return false
}

/**
 * Checks the headers of a WebSocket handshake and returns the subprotocols
 * the client offers. Throws `BadRequest` for a request that is not a valid
 * handshake (with `Sec-WebSocket-Version: 13` when the version is wrong).
 */
export function checkHandshake(environ: Environ, options: ResolvedOptions): string[] {
  if (environ.SERVER_PROTOCOL === 'HTTP/1.0')
    throw new BadRequest('A WebSocket handshake needs HTTP/1.1 or later')
  if (
    environ.HTTP_UPGRADE?.toLowerCase() !== 'websocket' ||
    !hasToken(environ.HTTP_CONNECTION, 'upgrade')
  )
    throw new BadRequest(
      'This is a WebSocket endpoint: a handshake needs Upgrade: websocket and Connection: Upgrade',
    )
  if (environ.HTTP_SEC_WEBSOCKET_VERSION !== VERSION)
    throw new BadRequest('Unsupported Sec-WebSocket-Version (13 is)', [
      ['Sec-WebSocket-Version', VERSION],
    ])
  const key = environ.HTTP_SEC_WEBSOCKET_KEY
  if (key === undefined || !KEY.test(key))
    throw new BadRequest('Missing or invalid Sec-WebSocket-Key')
  let offered: string[] = []
  const protocols = environ.HTTP_SEC_WEBSOCKET_PROTOCOL
  if (protocols !== undefined) {
    try {
      offered = parseProtocols(protocols)
    } catch {
      throw new BadRequest('Invalid Sec-WebSocket-Protocol header')
    }
  }
  const extensions = environ.HTTP_SEC_WEBSOCKET_EXTENSIONS
  if (options.perMessageDeflate && extensions !== undefined) {
    try {
      checkExtensions(extensions)
    } catch {
      throw new BadRequest('Invalid Sec-WebSocket-Extensions header')
    }
  }
  return offered
}

/** Refuses with 403 an `Origin` the route does not allow; a handshake without one is let through. */
export function checkOrigin(
  environ: Environ,
  options: ResolvedOptions,
): undefined | Promise<undefined> {
  const allows = options.allowsOrigin
  const origin = environ.HTTP_ORIGIN
  if (allows === undefined || origin === undefined) return undefined
  const refuse = () => new PermissionDenied(`Origin ${origin} may not open this WebSocket`)
  const allowed = allows(origin, environ)
  if (typeof allowed === 'boolean') {
    if (!allowed) throw refuse()
    return undefined
  }
  return Promise.resolve(allowed).then((ok) => {
    if (!ok) throw refuse()
    return undefined
  })
}

/** The subprotocol for a handshake: the route's first one the client offered, or the selector's choice. */
export function selectProtocol(
  offered: readonly string[],
  request: WsgiRequest,
  options: ResolvedOptions,
): string | undefined {
  if (offered.length === 0) return undefined
  const protocols = options.protocols
  if (typeof protocols === 'function') {
    const chosen = protocols(offered, request)
    if (chosen !== undefined && !offered.includes(chosen))
      throw new TypeError(`The protocol selector chose ${chosen}, which the client did not offer`)
    return chosen
  }
  return protocols.find((protocol) => offered.includes(protocol))
}

/** Opens the socket once the 101 is to be sent; gets the headers the 101 adds, as `Name: value` lines. */
export type OpenSocket = (environ: Environ, headers: string[]) => void

/**
 * The 101 answer to a WebSocket handshake. Response middleware see it like
 * any response and may add headers (cookies...), which reach the 101; one
 * that replaces it, or changes its status, sends that answer instead.
 */
export class WebSocketHandshake extends WsgiResponse {
  readonly #open: OpenSocket

  constructor(open: OpenSocket) {
    super(101)
    this.#open = open
  }

  /** Sends the 101 and opens the socket (another status is sent as a normal response). */
  override start(environ: Environ, startResponse: StartResponse, excInfo?: unknown): this {
    if (this.statusCode !== 101 || excInfo !== undefined)
      return super.start(environ, startResponse, excInfo)
    this.#open(environ, headerLines(this.headers.toList(), environ))
    // the socket is the engine's now and the server writes nothing for this request,
    // but its bookkeeping still wants a final status (start_response refuses a 1xx)
    startResponse('200 OK', [])
    return this
  }
}

/** The headers response middleware added, checked as node:http checks them, plus Server and Date. */
function headerLines(headers: readonly [string, string][], environ: Environ): string[] {
  const lines: string[] = []
  let server = false
  let date = false
  for (const [name, value] of headers) {
    const lower = name.toLowerCase()
    if (ENGINE_HEADERS.has(lower)) continue
    validateHeaderName(name)
    validateHeaderValue(name, value)
    if (lower === 'server') server = true
    else if (lower === 'date') date = true
    lines.push(`${name}: ${value}`)
  }
  const software = environ['pulsar.cfg'].server_software
  if (!server && software !== '') lines.push(`Server: ${software}`)
  if (!date) lines.push(`Date: ${httpDate()}`)
  return lines
}
