// the public types name Node's (Buffer, IncomingMessage, Socket...): docs/typescript.md
/// <reference types="node" preserve="true" />
/**
 * pulsar-ts: asynchronous WSGI for Node.js. Everything public, also found
 * by subpath: `pulsar-ts/testing`, `pulsar-ts/router`, `pulsar-ts/rpc` and
 * `pulsar-ts/websocket`.
 * @module
 */

// the contract and the wrappers applications hold (src/wsgi/)
export { WsgiHandler, LazyWsgi } from './wsgi/handler.js'
export { WsgiRequest } from './wsgi/request.js'
export { WsgiResponse } from './wsgi/response.js'
export { ResponseHeaders, isHopByHop } from './wsgi/headers.js'
export { BufferedInput } from './wsgi/buffered-input.js'
export { parseCookies, serializeCookie } from './wsgi/cookies.js'
export { parseAccept, bestMediaType } from './wsgi/accept.js'
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
  ValidationError,
  AbortWsgi,
  ClientDisconnected,
} from './wsgi/errors.js'
export { handleWsgiError, escapeHtml } from './wsgi/error-page.js'
export { version } from './wsgi/version.js'
export type {
  Body,
  Callable,
  Chunk,
  ClusterInfo,
  Connection,
  Environ,
  Handles,
  Header,
  Logger,
  Middleware,
  ProcessInfo,
  ResponseConsumer,
  ServerHandle,
  ServerInfo,
  StartResponse,
  Upgrade,
  Write,
  WsgiApp,
  WsgiErrors,
  WsgiInput,
} from './wsgi/types.js'
export type { Config } from './wsgi/config.js'
export type {
  StandardSchemaV1,
  StandardSchemaProps,
  StandardSchemaResult,
  StandardSchemaIssue,
  StandardJsonSchemaConverter,
  SchemaInput,
  SchemaOutput,
  SchemaIssue,
} from './wsgi/schema.js'
export type { Content, ResponseMiddleware } from './wsgi/response.js'
export type { HeadersInit } from './wsgi/headers.js'
export type { CookieOptions } from './wsgi/cookies.js'
export type { AcceptEntry } from './wsgi/accept.js'
export type { ErrorHandler } from './wsgi/error-page.js'
export type { MultipartBody, MultipartOptions, UploadedFile } from './wsgi/multipart.js'

// the server as a program, and testing without a socket (src/process/)
export { WSGIServer } from './process/wsgi-server.js'
export { settings } from './process/settings.js'
export { testWsgiEnviron, inject } from './process/testing.js'
export type { ServerOptions } from './process/wsgi-server.js'
export type { Arbiter } from './process/arbiter.js'
export type { Setting } from './process/settings.js'
export type { TestRequest, InjectResponse } from './process/testing.js'

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

// the router (also `pulsar-ts/router`)
export {
  Router,
  SkipRoute,
  HTTP_METHODS,
  Rule,
  converters,
  addConverter,
  validated,
  toResponse,
  MediaRouter,
  fileResponse,
} from './router/index.js'
export type {
  HttpMethod,
  RouteHandler,
  RouteHandlerLike,
  RouteRequest,
  RouteSchemas,
  SchemaTarget,
  TypedRequest,
  ValidOf,
  ValidatedHandler,
  ConverterTypes,
  ConverterValue,
  UrlArgs,
  UrlArgsOf,
  ResponseWrapper,
  RouterInit,
  RouterOptions,
  TrailingSlash,
  RuleVariable,
  Converter,
  ConverterArgs,
  ConverterFactory,
  MediaOptions,
  FileResponseOptions,
} from './router/index.js'

// JSON-RPC 2.0 over HTTP and WebSocket (also `pulsar-ts/rpc`)
export {
  JsonRpc,
  rpcMethod,
  PulsarServerCommands,
  RpcError,
  RpcErrorCode,
  ParseError,
  InvalidRequest,
  NoSuchFunction,
  InvalidParams,
  InternalError,
  rpcErrorFrom,
  JsonProxy,
  JsonBatchProxy,
  HttpTransport,
  RpcWebSocket,
  WebSocketTransport,
} from './rpc/index.js'
export type {
  JsonRpcOptions,
  RpcMethod,
  RpcMethodLike,
  RpcMethods,
  RpcMethodSpec,
  RpcApi,
  ApiOf,
  OpenRpcDocument,
  FunctionInfo,
  RpcServerInfo,
  RpcErrorObject,
  JsonProxyOptions,
  JsonProxyMembers,
  JsonBatchProxyMembers,
  BatchResult,
  RpcParams,
  Remote,
  Queued,
  HttpTransportOptions,
  RpcTransport,
  SendOptions,
  RpcReceiver,
  RpcWebSocketOptions,
  WebSocketTransportOptions,
} from './rpc/index.js'

// WebSocket (also `pulsar-ts/websocket`)
export {
  WebSocket,
  WS,
  WebSocketProtocol,
  WebSocketHandshake,
  isValidCloseCode,
  MAX_CONTROL_PAYLOAD,
} from './websocket/index.js'
export type {
  WebSocketHandler,
  WebSocketOptions,
  WebSocketOrigins,
  ProtocolSelector,
  DeflateOptions,
} from './websocket/index.js'

// pubsub channels: memory, cluster and Redis backends, and PubSubWS
export {
  PubSubError,
  MemoryPubSub,
  ClusterPubSub,
  RedisPubSub,
  createPubSub,
  getPubSub,
  PubSubWS,
} from './pubsub/index.js'
export type {
  SocketChannels,
  JsonValue,
  Listener,
  Message,
  PubSub,
  Unsubscribe,
  RedisPubSubOptions,
  PubSubBaseOptions,
  PubSubOptions,
} from './pubsub/index.js'
