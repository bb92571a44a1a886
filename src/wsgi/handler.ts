/**
 * The two application handlers of pulsar: WsgiHandler, which composes
 * middleware, and LazyWsgi, which builds its handler on the first request.
 * @module
 */
import { isThenable, toFunction } from './callable.js'
import { handleWsgiError } from './error-page.js'
import { AbortWsgi, Http404 } from './errors.js'
import { type ResponseMiddleware, WsgiResponse } from './response.js'
import type { Body, Callable, Environ, Middleware, StartResponse, WsgiApp } from './types.js'

/**
 * The answer to an error: its error page. An `AbortWsgi` (the client went
 * away, or the application ends the response silently) is not answered: it
 * goes on to the server, which closes the response without a page or a log.
 */
function errorPage(environ: Environ, error: unknown): WsgiResponse {
  if (error instanceof AbortWsgi) throw error
  return handleWsgiError(environ, error)
}

/**
 * Composes request middleware and response middleware into one application.
 *
 * - Each middleware runs in order; the first that returns something other
 *   than `undefined` (or `null`) answers. When none does, the answer is 404.
 * - When the answer is a `WsgiResponse` that has not started, each response
 *   middleware runs in order and may return a replacement.
 * - Any error becomes an error response (see `handleWsgiError`), which goes
 *   through the response middleware too; an `AbortWsgi` goes on to the
 *   server, which ends the response silently.
 * - The response goes back unstarted, bound to this request: whoever sends
 *   it starts it. So a handler nested in another hands its answer to the
 *   outer one's response middleware, and the server starts it last.
 *
 * Middleware may be synchronous or asynchronous; a chain of synchronous ones
 * answers without a single promise.
 */
export class WsgiHandler {
  readonly middleware: readonly Middleware[]
  readonly responseMiddleware: readonly ResponseMiddleware[]

  constructor(
    middleware: Callable<Middleware>[] = [],
    responseMiddleware: Callable<ResponseMiddleware>[] = [],
  ) {
    this.middleware = middleware.map((m) => toFunction(m, 'A middleware'))
    this.responseMiddleware = responseMiddleware.map((m) => toFunction(m, 'A response middleware'))
  }

  /** The WSGI application: call it with `(environ, startResponse)`. */
  handle(environ: Environ, startResponse: StartResponse): Body | Promise<Body> {
    let answer: Body | PromiseLike<Body>
    try {
      answer = this.#request(environ, startResponse, 0)
    } catch (error) {
      answer = errorPage(environ, error)
    }
    if (isThenable<Body>(answer))
      return Promise.resolve(answer).then(
        (body) => this.#respond(environ, startResponse, body, 0),
        (error: unknown) => this.#respond(environ, startResponse, errorPage(environ, error), 0),
      )
    return this.#respond(environ, startResponse, answer, 0)
  }

  /** Runs middleware from `index` on; a promise only once one of them is asynchronous. */
  #request(
    environ: Environ,
    startResponse: StartResponse,
    index: number,
  ): Body | PromiseLike<Body> {
    const middleware = this.middleware
    for (let i = index; i < middleware.length; i++) {
      const answer = middleware[i]!(environ, startResponse)
      if (isThenable<Body | undefined | null>(answer))
        return Promise.resolve(answer).then(
          (body) => body ?? this.#request(environ, startResponse, i + 1),
        )
      if (answer !== undefined && answer !== null) return answer
    }
    throw new Http404()
  }

  #respond(
    environ: Environ,
    startResponse: StartResponse,
    body: Body,
    index: number,
  ): Body | Promise<Body> {
    if (!(body instanceof WsgiResponse) || body.started) return body
    let response = body
    const middleware = this.responseMiddleware
    for (let i = index; i < middleware.length; i++) {
      let replacement: ReturnType<ResponseMiddleware>
      try {
        replacement = middleware[i]!(environ, response)
      } catch (error) {
        replacement = errorPage(environ, error)
      }
      if (isThenable<WsgiResponse | undefined>(replacement)) {
        const current = response
        return Promise.resolve(replacement).then(
          (next) => this.#respond(environ, startResponse, next ?? current, i + 1),
          (error: unknown) =>
            this.#respond(environ, startResponse, errorPage(environ, error), i + 1),
        )
      }
      if (replacement) response = replacement
    }
    return response.bind(environ, startResponse)
  }
}

/**
 * A handler built on the first request, once per process, by `setup()`.
 * Concurrent first requests share one setup; a setup that fails answers 500
 * and is tried again on the next request.
 */
export abstract class LazyWsgi {
  #handler: WsgiApp | undefined
  #pending: Promise<WsgiApp> | undefined

  /** Builds the real handler; called once per process, on the first request. */
  abstract setup(environ: Environ): Callable<WsgiApp> | PromiseLike<Callable<WsgiApp>>

  /** The WSGI application: call it with `(environ, startResponse)`. */
  handle(environ: Environ, startResponse: StartResponse): Body | PromiseLike<Body> {
    if (this.#handler) return this.#handler(environ, startResponse)
    this.#pending ??= Promise.resolve()
      .then(() => this.setup(environ))
      .then(
        (handler) => (this.#handler = toFunction(handler, 'The handler returned by setup()')),
        (error: unknown) => {
          this.#pending = undefined
          throw error
        },
      )
    return this.#pending.then((handler) => handler(environ, startResponse))
  }
}
