// the public types name Node's (Buffer, IncomingMessage, Socket...): docs/typescript.md
/// <reference types="node" preserve="true" />
/**
 * `pulsar-ts/rpc`: JSON-RPC 2.0 handlers (`JsonRpc`, `PulsarServerCommands`),
 * their errors, the clients (`JsonProxy`, `JsonBatchProxy`) and their
 * transports, over HTTP and over WebSocket.
 * @module
 */
export {
  JsonRpc,
  type JsonRpcOptions,
  type RpcMethod,
  type RpcMethodLike,
  type RpcMethods,
  type FunctionInfo,
  type NoMethods,
  type RpcTypes,
  type WithSubHandler,
} from './handler.js'
export {
  rpcMethod,
  type RpcMethodSpec,
  type ParamSchemas,
  type ParamInputs,
  type ParamOutputs,
} from './method.js'
export type { RpcApi, ApiOf, ClientMethod, AnyJsonRpc } from './api.js'
export type {
  OpenRpcDocument,
  OpenRpcMethod,
  OpenRpcContentDescriptor,
  JsonSchema,
} from './openrpc.js'
export { PulsarServerCommands, type RpcServerInfo } from './commands.js'
export {
  RpcError,
  RpcErrorCode,
  type RpcErrorObject,
  ParseError,
  InvalidRequest,
  NoSuchFunction,
  InvalidParams,
  InternalError,
  rpcErrorFrom,
} from './errors.js'
export {
  JsonProxy,
  JsonBatchProxy,
  type JsonProxyOptions,
  type JsonProxyMembers,
  type JsonBatchProxyMembers,
  type BatchResult,
  type RpcParams,
  type Remote,
  type Queued,
} from './client.js'
export {
  HttpTransport,
  type HttpTransportOptions,
  type RpcTransport,
  type SendOptions,
} from './transport.js'
export { RpcWebSocket, type RpcReceiver, type RpcWebSocketOptions } from './websocket.js'
export { WebSocketTransport, type WebSocketTransportOptions } from './websocket-transport.js'
