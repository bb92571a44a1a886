/**
 * pulsar-ts/websocket: the WebSocket route on ws, the WS handler and the
 * socket handlers are given.
 * @module
 */
export { WebSocket } from './websocket.js'
export { WS, type WebSocketHandler } from './handler.js'
export { MAX_CONTROL_PAYLOAD, WebSocketProtocol, isValidCloseCode } from './protocol.js'
export { WebSocketHandshake } from './handshake.js'
export { RpcWebSocket, type RpcWebSocketOptions } from './rpc.js'
export { WebSocketTransport, type WebSocketTransportOptions } from './rpc-transport.js'
export { PubSubWS, type SocketChannels } from '../pubsub/pubsub-ws.js'
export type {
  DeflateOptions,
  ProtocolSelector,
  WebSocketOptions,
  WebSocketOrigins,
} from './options.js'
