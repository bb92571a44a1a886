/**
 * pulsar-ts: asynchronous WSGI for Node.js.
 * @module
 */

// the contract
export type {
  Body,
  Callable,
  Chunk,
  Environ,
  Handles,
  Header,
  Middleware,
  ResponseMiddleware,
  StartResponse,
  Write,
  WsgiApp,
  WsgiErrors,
} from './server/types.js'

// the server
export { WSGIServer, type ServerOptions, type ServerInfo } from './server/server.js'
export { Arbiter, type ClusterInfo, type ProcessInfo } from './server/arbiter.js'
export {
  HttpServerResponse,
  type ResponseSink,
  type RequestFacts,
  type ServerState,
} from './server/start-response.js'
export { Connection, type Upgrade } from './server/connection.js'
export { headerRole } from './server/response-head.js'
export { WsgiInput, type InputOptions } from './server/input.js'
export {
  type Config,
  type Setting,
  type BindAddress,
  settings,
  resolveConfig,
  parseBind,
  helpText,
} from './server/config.js'
export { type Logger, createLogger } from './server/logger.js'
export { createEnviron, type EnvironContext, type IncomingRequest } from './server/environ.js'

// handlers and wrappers
export { WsgiHandler, LazyWsgi } from './server/handler.js'
export { WsgiRequest } from './server/request.js'
export { WsgiResponse, type Content } from './server/response.js'
export { ResponseHeaders, type HeadersInit } from './server/headers.js'
export { type CookieOptions, parseCookies, serializeCookie } from './server/cookies.js'
export { type AcceptEntry, parseAccept, bestMediaType } from './server/accept.js'

// errors
export {
  HttpException,
  BadRequest,
  Http401,
  PermissionDenied,
  Http404,
  MethodNotAllowed,
  NotAcceptable,
  HttpGone,
  RequestEntityTooLarge,
  UnsupportedMediaType,
  ExpectationFailed,
  ServiceUnavailable,
  HttpRedirect,
  AbortWsgi,
  ClientDisconnected,
} from './server/errors.js'
export { handleWsgiError, type ErrorHandler } from './server/error-page.js'

// testing
export { testWsgiEnviron, inject, type TestRequest, type InjectResponse } from './server/testing.js'

export { version } from './server/version.js'

// middleware: compression, headers, CORS, clean paths, authorization, wait for body
export {
  BaseResponseMiddleware,
  CompressionMiddleware,
  GZipMiddleware,
  compression,
  isCompressible,
  negotiateEncoding,
  addVary,
  defaultHeaders,
  secureHeaders,
  AccessControl,
  cleanPathMiddleware,
  authorizationMiddleware,
  parseAuthorization,
  BufferedInput,
  waitForBodyMiddleware,
} from './middleware/index.js'
export type {
  CompressionFilter,
  CompressionOptions,
  Encoding,
  DefaultHeadersOptions,
  HstsOptions,
  SecureHeadersOptions,
  AccessControlOptions,
  AllowedOrigins,
  OriginCheck,
  Authorization,
  BasicAuthorization,
  BearerAuthorization,
} from './middleware/index.js'

// the router (issue 4): pulsar-ts/router, and multipart bodies for WsgiRequest
export {
  Router,
  SkipRoute,
  HTTP_METHODS,
  Rule,
  converters,
  toResponse,
  MediaRouter,
  fileResponse,
  type HttpMethod,
  type RouteHandler,
  type ResponseWrapper,
  type RouterInit,
  type RouterOptions,
  type TrailingSlash,
  type RuleVariable,
  type Converter,
  type ConverterArgs,
  type ConverterFactory,
  type MediaOptions,
  type FileResponseOptions,
} from './router/index.js'
export type { MultipartBody, MultipartOptions, UploadedFile } from './server/multipart.js'
export { escapeHtml } from './server/error-page.js'

// JSON-RPC 2.0 (also `pulsar-ts/rpc`)
export {
  JsonRpc,
  type JsonRpcOptions,
  type RpcMethod,
  type RpcMethodLike,
  type RpcMethods,
  type FunctionInfo,
  PulsarServerCommands,
  type RpcServerInfo,
  RpcError,
  RpcErrorCode,
  type RpcErrorObject,
  ParseError,
  InvalidRequest,
  NoSuchFunction,
  InvalidParams,
  InternalError,
  rpcErrorFrom,
  JsonProxy,
  JsonBatchProxy,
  type JsonProxyOptions,
  type JsonProxyMembers,
  type JsonBatchProxyMembers,
  type BatchResult,
  type RpcParams,
  type Remote,
  type Queued,
  HttpTransport,
  type HttpTransportOptions,
  type RpcTransport,
  type SendOptions,
} from './rpc/index.js'

// WebSocket (issue 6): pulsar-ts/websocket
export {
  WebSocket,
  WS,
  WebSocketProtocol,
  WebSocketHandshake,
  isValidCloseCode,
  RpcWebSocket,
  WebSocketTransport,
} from './websocket/index.js'
export type {
  WebSocketHandler,
  WebSocketOptions,
  WebSocketOrigins,
  ProtocolSelector,
  DeflateOptions,
  RpcWebSocketOptions,
  WebSocketTransportOptions,
} from './websocket/index.js'

// pubsub channels (issue 8): memory, cluster and Redis backends
export {
  PubSubError,
  MemoryPubSub,
  ClusterPubSub,
  RedisPubSub,
  createPubSub,
  getPubSub,
  PubSubWS,
  type SocketChannels,
  type JsonValue,
  type Listener,
  type Message,
  type PubSub,
  type Unsubscribe,
  type RedisPubSubOptions,
  type PubSubBaseOptions,
  type PubSubOptions,
} from './pubsub/index.js'
