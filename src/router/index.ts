// the public types name Node's (Buffer, IncomingMessage, Socket...): docs/typescript.md
/// <reference types="node" preserve="true" />
/**
 * pulsar-ts/router: the Router middleware on find-my-way, route rules and
 * converters, and static files (MediaRouter).
 * @module
 */
export { Router, type TrailingSlash } from './router.js'
export {
  SkipRoute,
  HTTP_METHODS,
  type HttpMethod,
  type ResponseWrapper,
  type RouteHandlerLike,
  type RouterInit,
  type RouterOptions,
} from './options.js'
export type {
  RouteHandler,
  RouteRequest,
  RouteSchemas,
  SchemaTarget,
  TypedRequest,
  ValidOf,
} from './route-request.js'
export { validated, type ValidatedHandler } from './validate.js'
export type { ConverterTypes, UrlArgs, UrlArgsOf } from './url-args.js'
export { Rule, type RuleVariable } from './rule.js'
export {
  converters,
  addConverter,
  type ConverterValue,
  type Converter,
  type ConverterArgs,
  type ConverterFactory,
} from './converters.js'
export { toResponse } from './respond.js'
export { MediaRouter, type MediaOptions } from './media.js'
export { fileResponse, type FileResponseOptions } from './file-response.js'
