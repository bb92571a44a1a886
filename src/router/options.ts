/**
 * What a router is made with: the methods it may have handlers for, its
 * options, and the types of its handlers.
 * @module
 */
import type { Callable } from '../wsgi/types.js'
import type { WsgiRequest } from '../wsgi/request.js'
import type { RouteHandler } from './route-request.js'
import type { TrailingSlash } from './table.js'
import type { UrlArgs } from './url-args.js'
import type { ValidatedHandler } from './validate.js'

/** Wraps every handler of a router and its children (authentication, timing...). */
export type ResponseWrapper = (handler: RouteHandler, request: WsgiRequest) => unknown

/** The methods a router may have handlers for, by their lower-case names. */
export const HTTP_METHODS = [
  'get',
  'head',
  'post',
  'put',
  'patch',
  'delete',
  'options',
  'trace',
] as const

/** A method a router may have a handler for: `get`, `post`... */
export type HttpMethod = (typeof HTTP_METHODS)[number]

/** A router's options; the first four are inherited by its children unless they set their own. */
export interface RouterOptions {
  /**
   * Media types the handlers produce; a request whose `Accept` refuses them
   * all gets 406 before a handler runs. @default undefined (no check)
   */
  responseContentTypes?: readonly string[]
  /** Wraps every handler. @default undefined */
  responseWrapper?: ResponseWrapper
  /**
   * A path that differs from a route only by its trailing slash is
   * redirected (308) to the route's form, served as if it matched
   * (`ignore`), or not matched (`strict`). @default 'redirect'
   */
  trailingSlash?: TrailingSlash
  /**
   * The longest segment a variable matches (find-my-way's
   * `maxParamLength`); a longer one matches no route. Read from the router
   * that serves the request. @default 100
   */
  maxParamLength?: number
  /** A name to find the router by (`getRouter`). @default the rule */
  name?: string
}

/** A handler as a router takes it: a function, an object with `handle`, or a `validated()` one. */
export type RouteHandlerLike<A extends UrlArgs = UrlArgs> =
  | Callable<RouteHandler<A>>
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schemas: validated() types its own handler
  | ValidatedHandler<A, any>

/** The second argument of `new Router()`: options and handlers named after methods, their request typed with `A`. */
export type RouterInit<A extends UrlArgs = UrlArgs> = RouterOptions & {
  [M in HttpMethod]?: RouteHandlerLike<A>
}

/** Thrown by a handler to let the next middleware answer, as if no route had matched. */
export class SkipRoute extends Error {
  override name = 'SkipRoute'
}
