/**
 * The WebSocket handler: what a route calls as its sockets open, receive
 * and close (pulsar's `WS`).
 * @module
 */
import type { WebSocketHandler, WebSocketProtocol } from './protocol.js'

export type { WebSocketHandler } from './protocol.js'

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
