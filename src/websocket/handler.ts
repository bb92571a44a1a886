/**
 * The WebSocket handler: what a route calls as its sockets open, receive
 * and close (pulsar's `WS`).
 * @module
 */
import type { WebSocketProtocol } from './protocol.js'

/**
 * The callbacks of a WebSocket route; each may be missing, and each may be
 * asynchronous. For one socket they run one at a time, in the order the
 * events happened: a callback starts once the previous one (or its promise)
 * finished, and `onClose` comes last.
 */
export interface WebSocketHandler {
  /** The socket opened (the 101 was sent). */
  onOpen?(ws: WebSocketProtocol): unknown
  /** A text message arrived (valid UTF-8, whole, at most `maxPayload` bytes). */
  onMessage?(ws: WebSocketProtocol, text: string): unknown
  /** A binary message arrived. */
  onBytes?(ws: WebSocketProtocol, bytes: Buffer): unknown
  /** The peer pinged; when the handler has no `onPing`, the socket answers with a pong. */
  onPing?(ws: WebSocketProtocol, data: Buffer): unknown
  /** The peer answered a ping. */
  onPong?(ws: WebSocketProtocol, data: Buffer): unknown
  /**
   * The socket closed: `code` is the peer's close code (1005 when its frame
   * had none, 1006 when the connection dropped without a close frame).
   */
  onClose?(ws: WebSocketProtocol, code: number, reason: string): unknown
}

/** pulsar's `WS`: a handler class whose callbacks do nothing but answer pings; override what you need. */
export class WS implements WebSocketHandler {
  /** The socket opened. */
  onOpen(_ws: WebSocketProtocol): unknown {
    return undefined
  }

  /** A text message arrived. */
  onMessage(_ws: WebSocketProtocol, _text: string): unknown {
    return undefined
  }

  /** A binary message arrived. */
  onBytes(_ws: WebSocketProtocol, _bytes: Buffer): unknown {
    return undefined
  }

  /** The peer pinged: answers with a pong carrying the same data. */
  onPing(ws: WebSocketProtocol, data: Buffer): unknown {
    ws.pong(data)
    return undefined
  }

  /** The peer answered a ping. */
  onPong(_ws: WebSocketProtocol, _data: Buffer): unknown {
    return undefined
  }

  /** The socket closed. */
  onClose(_ws: WebSocketProtocol, _code: number, _reason: string): unknown {
    return undefined
  }
}
