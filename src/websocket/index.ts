// the public types name Node's (Buffer, IncomingMessage, Socket...): docs/typescript.md
/// <reference types="node" preserve="true" />
/**
 * pulsar-ts/websocket: the WebSocket route on ws, the WS handler and the
 * socket handlers are given. JSON-RPC over WebSocket is in pulsar-ts/rpc,
 * pubsub's `PubSubWS` in pulsar-ts.
 * @module
 */
export { WebSocket } from './websocket.js'
export { WS, type WebSocketHandler } from './handler.js'
export { WebSocketProtocol } from './protocol.js'
export { MAX_CONTROL_PAYLOAD, isValidCloseCode } from './control.js'
export { WebSocketHandshake } from './handshake.js'
export type {
  DeflateOptions,
  ProtocolSelector,
  WebSocketOptions,
  WebSocketOrigins,
} from './options.js'
