/**
 * The options of a WebSocket route, each with its default, checked once when
 * the route is built so that a bad one fails at startup.
 * @module
 */
import { type OriginCheck, originCheck } from '../middleware/access-control.js'
import { integerOption } from '../middleware/options.js'
import type { WsgiRequest } from '../wsgi/request.js'

/** Origins allowed to open a socket: one origin, a RegExp, a list of both, or a function of the origin. */
export type WebSocketOrigins = string | RegExp | readonly (string | RegExp)[] | OriginCheck

/**
 * Chooses the subprotocol of a handshake among those the client offered (in
 * its order); returning `undefined` selects none.
 */
export type ProtocolSelector = (
  offered: readonly string[],
  request: WsgiRequest,
) => string | undefined

/**
 * permessage-deflate settings (RFC 7692), all optional. They bound what the
 * server agrees to: a client may ask for less (a smaller window, no context
 * takeover), and gets it.
 */
export interface DeflateOptions {
  /** The server resets its compression context after each message (also when the client asks). @default true */
  serverNoContextTakeover?: boolean
  /** The client is asked to reset its context after each message (also when it offers to). @default true */
  clientNoContextTakeover?: boolean
  /** The largest window of the server's compressor, 8 to 15 (smaller when the client asks). @default 12 */
  serverMaxWindowBits?: number
  /**
   * The largest window the client is asked to use, 8 to 15, when its offer
   * has `client_max_window_bits`; a client whose offer has none (Firefox,
   * Safari) may use 15 bits, and the server inflates with 15. @default 12
   */
  clientMaxWindowBits?: number
  /** zlib's compression level, 0 to 9. @default 3 */
  level?: number
  /** zlib's memory level, 1 to 9. @default 7 */
  memLevel?: number
  /** Messages smaller than this many bytes are sent uncompressed. @default 1024 */
  threshold?: number
  /** Compressions and decompressions running at once in the process. @default 10 */
  concurrencyLimit?: number
}

/** The options of `new WebSocket(rule, handler, options)`. */
export interface WebSocketOptions {
  /**
   * Origins allowed to open a socket; another `Origin` is refused with 403.
   * A handshake without `Origin` (not a browser) is let through. `'*'`
   * allows any. @default undefined (no check)
   */
  origin?: WebSocketOrigins
  /**
   * The subprotocols the route speaks, in the server's order of preference,
   * or a function choosing among the client's offer. When the client offers
   * none of them, the handshake goes on without a subprotocol (the client
   * decides whether to stay). @default [] (none)
   */
  protocols?: readonly string[] | ProtocolSelector
  /** The largest message accepted, in bytes (after decompression); larger ones close with 1009. @default 1048576 (1 MiB) */
  maxPayload?: number
  /** permessage-deflate: off, on with safe settings (`true`), or on with these. @default false */
  perMessageDeflate?: boolean | DeflateOptions
  /** Seconds between the server's pings; a peer that did not answer the last one is terminated. 0 turns it off. @default 30 */
  heartbeat?: number
  /**
   * Seconds to wait for the peer's answer to a close frame before the
   * connection is cut; also the longest the peer's close frame waits for the
   * handler to finish the messages received before it. @default 10
   */
  closeTimeout?: number
  /** Bytes buffered for sending above which `write()`'s promise waits for the socket to drain. @default 1048576 (1 MiB) */
  highWaterMark?: number
  /**
   * Bytes buffered for sending above which the socket is closed with 1008
   * (a client that does not read) rather than holding more. @default 16777216 (16 MiB)
   */
  maxBufferedAmount?: number
  /**
   * Messages waiting for an asynchronous handler, beyond which the server
   * stops reading the socket until the handler catches up. @default 64
   */
  maxQueuedMessages?: number
  /** The longest URL segment a rule variable matches; a longer one matches nothing. @default 100 */
  maxParamLength?: number
}

/** The options in force, defaults filled in. */
export interface ResolvedOptions {
  readonly allowsOrigin: OriginCheck | undefined
  readonly protocols: readonly string[] | ProtocolSelector
  readonly maxPayload: number
  readonly perMessageDeflate: Required<DeflateOptions> | false
  readonly heartbeatMs: number
  readonly closeTimeoutMs: number
  readonly highWaterMark: number
  readonly maxBufferedAmount: number
  readonly maxQueuedMessages: number
  readonly maxParamLength: number
}

// safe settings (no context kept between messages, small windows): zlib's memory per socket stays small
const SAFE_DEFLATE: Required<DeflateOptions> = {
  serverNoContextTakeover: true,
  clientNoContextTakeover: true,
  serverMaxWindowBits: 12,
  clientMaxWindowBits: 12,
  level: 3,
  memLevel: 7,
  threshold: 1024,
  concurrencyLimit: 10,
}

function seconds(name: string, value: number, min: number): number {
  if (!Number.isFinite(value) || value < min)
    throw new TypeError(`${name} must be a number of seconds of at least ${min}, not ${value}`)
  return Math.round(value * 1000)
}

function deflateOptions(
  option: boolean | DeflateOptions | undefined,
): ResolvedOptions['perMessageDeflate'] {
  if (option === undefined || option === false) return false
  const deflate = { ...SAFE_DEFLATE, ...(option === true ? {} : option) }
  integerOption('perMessageDeflate.serverMaxWindowBits', deflate.serverMaxWindowBits, 8, 15)
  integerOption('perMessageDeflate.clientMaxWindowBits', deflate.clientMaxWindowBits, 8, 15)
  integerOption('perMessageDeflate.level', deflate.level, 0, 9)
  integerOption('perMessageDeflate.memLevel', deflate.memLevel, 1, 9)
  integerOption('perMessageDeflate.threshold', deflate.threshold, 0)
  integerOption('perMessageDeflate.concurrencyLimit', deflate.concurrencyLimit, 1)
  return deflate
}

function protocolsOption(
  option: WebSocketOptions['protocols'],
): readonly string[] | ProtocolSelector {
  if (option === undefined) return []
  if (typeof option === 'function') return option
  for (const protocol of option)
    // RFC 6455 §4.1: a subprotocol is an HTTP token
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(protocol))
      throw new TypeError(`Invalid subprotocol ${JSON.stringify(protocol)}`)
  return [...option]
}

/** The options with their defaults; throws a TypeError naming a bad one. */
export function resolveOptions(options: WebSocketOptions = {}): ResolvedOptions {
  const highWaterMark = integerOption('highWaterMark', options.highWaterMark ?? 1 << 20, 0)
  const maxBufferedAmount = integerOption(
    'maxBufferedAmount',
    options.maxBufferedAmount ?? 1 << 24,
    highWaterMark,
  )
  const origin = options.origin
  return {
    allowsOrigin: origin === undefined ? undefined : originCheck(origin),
    protocols: protocolsOption(options.protocols),
    maxPayload: integerOption('maxPayload', options.maxPayload ?? 1 << 20, 1),
    perMessageDeflate: deflateOptions(options.perMessageDeflate),
    heartbeatMs: seconds('heartbeat', options.heartbeat ?? 30, 0),
    closeTimeoutMs: seconds('closeTimeout', options.closeTimeout ?? 10, 0),
    highWaterMark,
    maxBufferedAmount,
    maxQueuedMessages: integerOption('maxQueuedMessages', options.maxQueuedMessages ?? 64, 1),
    maxParamLength: integerOption('maxParamLength', options.maxParamLength ?? 100, 1),
  }
}
