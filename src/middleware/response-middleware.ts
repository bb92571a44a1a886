/**
 * The shape of pulsar's ResponseMiddleware: `available()` says whether a
 * response concerns the middleware, `execute()` changes or replaces it.
 * @module
 */
import type { ResponseMiddleware, WsgiResponse } from '../wsgi/response.js'
import type { Environ, Handles } from '../wsgi/types.js'

/**
 * A response middleware as a class (pulsar's `ResponseMiddleware`): instances
 * go in a `WsgiHandler`'s response middleware list as they are.
 *
 * @example
 * ```ts
 * class PoweredBy extends BaseResponseMiddleware {
 *   execute(environ: Environ, response: WsgiResponse) {
 *     response.headers.set('X-Powered-By', 'pulsar-ts')
 *     return undefined
 *   }
 * }
 * new WsgiHandler([app], [new PoweredBy()])
 * ```
 */
export abstract class BaseResponseMiddleware implements Handles<ResponseMiddleware> {
  /** Whether this middleware has anything to do with the response; every response by default. */
  available(_environ: Environ, _response: WsgiResponse): boolean {
    return true
  }

  /** Changes the response, or returns a replacement; `undefined` keeps the (changed) response. */
  abstract execute(environ: Environ, response: WsgiResponse): ReturnType<ResponseMiddleware>

  /** The response middleware itself: `execute()` when `available()` says so. */
  handle(environ: Environ, response: WsgiResponse): ReturnType<ResponseMiddleware> {
    return this.available(environ, response) ? this.execute(environ, response) : undefined
  }
}
