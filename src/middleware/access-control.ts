/**
 * CORS (the Fetch standard's cross-origin resource sharing): pulsar's
 * `AccessControl`, with the preflight answered before routing.
 * @module
 */
import { validateHeaderValue } from 'node:http'

import { isThenable } from '../wsgi/callable.js'
import type { ResponseHeaders } from '../wsgi/headers.js'
import { WsgiResponse } from '../wsgi/response.js'
import type { Environ, Middleware } from '../wsgi/types.js'
import { integerOption } from './options.js'
import { BaseResponseMiddleware } from './response-middleware.js'
import { addVary } from './vary.js'

/** Decides whether an origin (`https://app.example`) may read the responses. */
export type OriginCheck = (origin: string, environ: Environ) => boolean | PromiseLike<boolean>

/** Which origins may read the responses. */
export type AllowedOrigins = string | RegExp | readonly (string | RegExp)[] | OriginCheck

/** Options of `AccessControl`; every one has a default. */
export interface AccessControlOptions {
  /**
   * The origins allowed: `'*'` (any, without credentials), one origin, a
   * RegExp, a list of both, or a function of the origin. Anchor a RegExp
   * (`/^https:\/\/[a-z]+\.example\.com$/`): it is tested on the whole
   * `Origin` value.
   * @default '*'
   */
  origin?: AllowedOrigins
  /** Methods a preflight allows. @default ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'] */
  methods?: readonly string[]
  /**
   * Request headers a preflight allows; when not given, the ones the
   * preflight asks for (`Access-Control-Request-Headers`) are allowed.
   * @default undefined (reflect the request)
   */
  allowedHeaders?: readonly string[]
  /** Response headers, beyond the CORS-safelisted ones, that scripts may read. @default [] */
  exposedHeaders?: readonly string[]
  /** Whether requests with credentials (cookies, HTTP auth) may read the responses. @default false */
  credentials?: boolean
  /** Seconds a browser may cache a preflight answer; not sent when undefined (browsers then use 5). @default undefined */
  maxAge?: number
  /** The status of a preflight answer. @default 204 */
  preflightStatus?: 200 | 204
}

const DEFAULT_METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE']

function listValue(name: string, values: readonly string[]): string {
  const value = values.join(', ')
  validateHeaderValue(name, value)
  return value
}

/** A plain, non-global copy of a RegExp: `test()` on a global one depends on the previous call. */
function stateless(pattern: RegExp): RegExp {
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''))
}

/**
 * The check of an `AllowedOrigins` value: `'*'` allows any origin, another
 * string only itself (also used by the WebSocket's Origin check).
 */
export function originCheck(origin: AllowedOrigins): OriginCheck {
  if (typeof origin === 'string') return origin === '*' ? () => true : (value) => value === origin
  if (typeof origin === 'function') return origin
  if (origin instanceof RegExp) {
    const pattern = stateless(origin)
    return (value) => pattern.test(value)
  }
  const exact = new Set<string>()
  const patterns: RegExp[] = []
  for (const entry of origin)
    if (typeof entry === 'string') exact.add(entry)
    else patterns.push(stateless(entry))
  return (value) => exact.has(value) || patterns.some((pattern) => pattern.test(value))
}

/**
 * CORS for a `WsgiHandler`: the instance is the response middleware that
 * adds `Access-Control-Allow-Origin` (and credentials, exposed headers) to
 * the answers of allowed origins, and `preflight` is the request middleware
 * that answers a preflight (`OPTIONS` with `Access-Control-Request-Method`)
 * before any route sees it. Put `preflight` first:
 *
 * @example
 * ```ts
 * const cors = new AccessControl({ origin: ['https://app.example'], credentials: true })
 * new WsgiHandler([cors.preflight, router], [cors])
 * ```
 *
 * When the answer depends on the origin (any `origin` but `'*'` or a single
 * string), every response carries `Vary: Origin`. Headers the application
 * set itself (`Access-Control-Allow-Origin`) are left alone.
 */
export class AccessControl extends BaseResponseMiddleware {
  /** The request middleware answering preflight requests. */
  readonly preflight: Middleware
  /** The `Access-Control-Allow-Origin` sent to everyone, or undefined when it depends on the origin. */
  readonly #fixed: string | undefined
  readonly #allows: OriginCheck
  readonly #credentials: boolean
  readonly #methods: string
  readonly #allowedHeaders: string | undefined
  readonly #exposedHeaders: string | undefined
  readonly #maxAge: string | undefined
  readonly #preflightStatus: number

  constructor(options: AccessControlOptions = {}) {
    super()
    const origin = options.origin ?? '*'
    this.#credentials = options.credentials ?? false
    if (typeof origin === 'string') {
      // the Fetch standard refuses '*' with credentials: the browser would drop the answer
      if (origin === '*' && this.#credentials)
        throw new TypeError(
          "origin '*' cannot be used with credentials: list the origins, or pass a RegExp or a function",
        )
      validateHeaderValue('Access-Control-Allow-Origin', origin)
      this.#fixed = origin
      this.#allows = () => true
    } else this.#allows = originCheck(origin)
    this.#methods = listValue('Access-Control-Allow-Methods', options.methods ?? DEFAULT_METHODS)
    this.#allowedHeaders =
      options.allowedHeaders && listValue('Access-Control-Allow-Headers', options.allowedHeaders)
    this.#exposedHeaders = options.exposedHeaders?.length
      ? listValue('Access-Control-Expose-Headers', options.exposedHeaders)
      : undefined
    this.#maxAge =
      options.maxAge === undefined ? undefined : String(integerOption('maxAge', options.maxAge, 0))
    const status = options.preflightStatus ?? 204
    if (status !== 200 && status !== 204)
      throw new TypeError(`preflightStatus must be 200 or 204, not ${String(status)}`)
    this.#preflightStatus = status
    this.preflight = (environ) => this.#preflight(environ)
  }

  /** Adds the CORS headers of an actual (not preflight) request's response. */
  execute(environ: Environ, response: WsgiResponse): undefined | Promise<undefined> {
    const headers = response.headers
    if (this.#fixed !== undefined) {
      if (!headers.has('Access-Control-Allow-Origin')) this.#allow(headers, this.#fixed)
      return undefined
    }
    // a cache must not give one origin's answer to another, nor to a request without Origin
    addVary(headers, 'Origin')
    const origin = environ.HTTP_ORIGIN
    if (origin === undefined || headers.has('Access-Control-Allow-Origin')) return undefined
    const allowed = this.#allows(origin, environ)
    if (!isThenable<boolean>(allowed)) {
      if (allowed) this.#allow(headers, origin)
      return undefined
    }
    return Promise.resolve(allowed).then((ok) => {
      if (ok) this.#allow(headers, origin)
      return undefined
    })
  }

  #allow(headers: ResponseHeaders, origin: string): void {
    headers.set('Access-Control-Allow-Origin', origin)
    if (this.#credentials) headers.set('Access-Control-Allow-Credentials', 'true')
    if (this.#exposedHeaders) headers.set('Access-Control-Expose-Headers', this.#exposedHeaders)
  }

  #preflight(environ: Environ): WsgiResponse | Promise<WsgiResponse> | undefined {
    if (environ.REQUEST_METHOD !== 'OPTIONS') return undefined
    const origin = environ.HTTP_ORIGIN
    // an OPTIONS without both is not a preflight: the application (or router) answers it
    if (origin === undefined || environ.HTTP_ACCESS_CONTROL_REQUEST_METHOD === undefined)
      return undefined
    const allowed = this.#allows(origin, environ)
    if (!isThenable<boolean>(allowed)) return this.#preflightResponse(environ, origin, allowed)
    return Promise.resolve(allowed).then((ok) => this.#preflightResponse(environ, origin, ok))
  }

  /** The answer to a preflight; for an origin not allowed, one without any permission. */
  #preflightResponse(environ: Environ, origin: string, allowed: boolean): WsgiResponse {
    const response = new WsgiResponse(this.#preflightStatus)
    const headers = response.headers
    if (this.#fixed === undefined) addVary(headers, 'Origin')
    if (!allowed) return response
    headers.set('Access-Control-Allow-Origin', this.#fixed ?? origin)
    if (this.#credentials) headers.set('Access-Control-Allow-Credentials', 'true')
    headers.set('Access-Control-Allow-Methods', this.#methods)
    if (this.#allowedHeaders !== undefined)
      headers.set('Access-Control-Allow-Headers', this.#allowedHeaders)
    else {
      addVary(headers, 'Access-Control-Request-Headers')
      const requested = environ.HTTP_ACCESS_CONTROL_REQUEST_HEADERS
      if (requested) headers.set('Access-Control-Allow-Headers', requested)
    }
    if (this.#maxAge !== undefined) headers.set('Access-Control-Max-Age', this.#maxAge)
    return response
  }
}
