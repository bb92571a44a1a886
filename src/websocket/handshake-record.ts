/**
 * What an open socket keeps of its handshake: its request as a WsgiRequest
 * over its environ (headers, path, cookies and whatever middleware put there
 * included) but not the gateway's objects for the upgrade request (its
 * response, its body reader, node:http's request), which would otherwise
 * live as long as the socket.
 * @module
 */
import { BufferedInput } from '../wsgi/buffered-input.js'
import type { WsgiRequest } from '../wsgi/request.js'
import type { Environ, Header, Logger, ResponseConsumer } from '../wsgi/types.js'

const NO_BODY = new BufferedInput(Buffer.alloc(0))
// the handshake's own headers, spent on it: a socket that lives for hours need not keep them
const SPENT = [
  'HTTP_SEC_WEBSOCKET_KEY',
  'HTTP_SEC_WEBSOCKET_VERSION',
  'HTTP_SEC_WEBSOCKET_EXTENSIONS',
  'HTTP_UPGRADE',
  'HTTP_CONNECTION',
] as const
const NEVER = new AbortController().signal
const NO_HEADERS: readonly Header[] = []

function spent(): never {
  throw new Error('The handshake was answered: write to the WebSocket instead')
}

/** The `pulsar.cache` of a handshake already answered (101), one per logger. */
export function answeredConsumer(logger: Logger): ResponseConsumer {
  return Object.freeze({
    logger,
    status: '101 Switching Protocols',
    statusCode: 101,
    headersSent: true,
    aborted: false,
    signal: NEVER,
    write: spent,
    head: undefined,
    getHeaders: () => NO_HEADERS,
    isChunked: () => false,
  })
}

/**
 * The handshake's request, kept by its socket once the 101 is sent: its
 * environ's gateway objects are let go, replaced by an input that reads
 * nothing and a consumer that says the response was sent, and the headers
 * the handshake spent are `undefined` (docs/websocket.md, "The handshake").
 */
export function handshakeRecord(request: WsgiRequest, consumer: ResponseConsumer): WsgiRequest {
  const environ: Environ = request.environ
  environ['wsgi.input'] = NO_BODY
  environ['pulsar.cache'] = consumer
  // set, not deleted: a deleted key would turn the environ into a slower, bigger dictionary
  for (const key of SPENT) if (environ[key] !== undefined) environ[key] = undefined
  return request
}
