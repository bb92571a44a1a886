// the public types name Node's (Buffer, IncomingMessage, Socket...): docs/typescript.md
/// <reference types="node" preserve="true" />
/**
 * pulsar-ts/router: the Router middleware on find-my-way, route rules and
 * converters, and static files (MediaRouter).
 * @module
 */
export {
  Router,
  SkipRoute,
  HTTP_METHODS,
  type HttpMethod,
  type RouteHandler,
  type ResponseWrapper,
  type RouterInit,
  type RouterOptions,
  type TrailingSlash,
} from './router.js'
export { Rule, type RuleVariable } from './rule.js'
export {
  converters,
  type Converter,
  type ConverterArgs,
  type ConverterFactory,
} from './converters.js'
export { toResponse } from './respond.js'
export { MediaRouter, type MediaOptions } from './media.js'
export { fileResponse, type FileResponseOptions } from './file-response.js'
