/**
 * The HttpException family: errors that carry an HTTP status and headers.
 * Thrown anywhere in a request, they become the error response of that status.
 * @module
 */
import { STATUS_CODES } from 'node:http'

import type { SchemaIssue } from './schema.js'
import { setStackLimit } from './stack-limit.js'
import type { Header } from './types.js'

/** An error that is answered with its HTTP `status` and extra `headers`. */
export class HttpException extends Error {
  override name = 'HttpException'
  /** The HTTP status code of the response. */
  readonly status: number
  /** Extra response headers, e.g. `Allow` or `WWW-Authenticate`. */
  readonly headers: Header[]
  /** Preferred content type of the error page (negotiated from `Accept` when absent). */
  readonly contentType: string | undefined

  constructor(message?: string, status = 500, headers: Header[] = [], contentType?: string) {
    const text = message === undefined ? (STATUS_CODES[status] ?? 'Error') : String(message)
    // below 500 the error is the client's, or an answer (a redirect): its stack would only
    // name the code that answered, and capturing it cost a 404 as much as the rest of its
    // answer (docs/performance.md, "Sixth pass"); a 5xx keeps its stack for the log
    const limit = setStackLimit(status < 500 ? 0 : Error.stackTraceLimit)
    super(text)
    setStackLimit(limit)
    this.status = status
    this.headers = headers
    this.contentType = contentType
  }

  /** Whether the message may be shown to the client: true below 500. */
  get expose(): boolean {
    return this.status < 500
  }
}

/** 400 Bad Request. */
export class BadRequest extends HttpException {
  override name = 'BadRequest'
  constructor(message?: string, headers?: Header[]) {
    super(message, 400, headers)
  }
}

/**
 * 400 for input a schema refused (a route's query, body or URL arguments):
 * the error page lists the schema's issues.
 */
export class ValidationError extends BadRequest {
  override name = 'ValidationError'
  /** What the schema found wrong, each with the path to the value. */
  readonly issues: readonly SchemaIssue[]

  constructor(message: string, issues: readonly SchemaIssue[]) {
    super(message)
    this.issues = issues
  }
}

/** 401 Unauthorized, with a `WWW-Authenticate` challenge such as `Basic realm="api"`. */
export class Http401 extends HttpException {
  override name = 'Http401'
  constructor(authenticate: string, message?: string) {
    super(message, 401, [['WWW-Authenticate', authenticate]])
  }
}

/** 403 Forbidden. */
export class PermissionDenied extends HttpException {
  override name = 'PermissionDenied'
  constructor(message?: string, headers?: Header[]) {
    super(message, 403, headers)
  }
}

/** 404 Not Found. */
export class Http404 extends HttpException {
  override name = 'Http404'
  constructor(message?: string, headers?: Header[]) {
    super(message, 404, headers)
  }
}

/** 405 Method Not Allowed, with the `Allow` header listing the methods that are. */
export class MethodNotAllowed extends HttpException {
  override name = 'MethodNotAllowed'
  constructor(allowed: readonly string[] = [], message?: string) {
    super(message, 405, [['Allow', allowed.join(', ')]])
  }
}

/** 406 Not Acceptable: no representation matches the request's `Accept`. */
export class NotAcceptable extends HttpException {
  override name = 'NotAcceptable'
  constructor(message?: string) {
    super(message, 406)
  }
}

/** 410 Gone. */
export class HttpGone extends HttpException {
  override name = 'HttpGone'
  constructor(message?: string) {
    super(message, 410)
  }
}

/** 413 Content Too Large: the request body is over the `stream_buffer` limit. */
export class RequestEntityTooLarge extends HttpException {
  override name = 'RequestEntityTooLarge'
  constructor(limit: number) {
    super(`Request body too large: the limit is ${limit} bytes`, 413)
  }
}

/** 415 Unsupported Media Type. */
export class UnsupportedMediaType extends HttpException {
  override name = 'UnsupportedMediaType'
  constructor(message?: string) {
    super(message, 415)
  }
}

/** 417 Expectation Failed: the app refused an `Expect: 100-continue` request. */
export class ExpectationFailed extends HttpException {
  override name = 'ExpectationFailed'
  constructor(message?: string) {
    super(message, 417)
  }
}

/** 503 Service Unavailable, with an optional `Retry-After` in seconds. */
export class ServiceUnavailable extends HttpException {
  override name = 'ServiceUnavailable'
  constructor(message?: string, retryAfter?: number) {
    super(message, 503, retryAfter === undefined ? [] : [['Retry-After', String(retryAfter)]])
  }
}

const REDIRECTS = [301, 302, 303, 305, 307, 308]

/** A redirect (302 unless told otherwise) to `location`. */
export class HttpRedirect extends HttpException {
  override name = 'HttpRedirect'
  constructor(location: string, status = 302, headers: Header[] = []) {
    if (!REDIRECTS.includes(status)) throw new TypeError(`${status} is not a redirect status`)
    super(`Redirect to ${location}`, status, [['Location', location], ...headers])
  }

  /** Where the client is sent. */
  get location(): string {
    return this.headers[0]![1]
  }
}

/**
 * Raised by an application to end a response silently, and by the server when
 * the client went away: no error page, nothing logged as a failure.
 */
export class AbortWsgi extends Error {
  override name = 'AbortWsgi'
}

/** The client closed the connection before the response was complete. */
export class ClientDisconnected extends AbortWsgi {
  override name = 'ClientDisconnected'
  constructor() {
    // nothing failed here: a stack would only say where the server noticed
    const limit = setStackLimit(0)
    super('The client closed the connection')
    setStackLimit(limit)
  }
}

/** The HTTP status an error stands for: its own for an HttpException (or http-errors style), else 500. */
export function errorStatus(error: unknown): number {
  if (error instanceof HttpException) return error.status
  if (typeof error === 'object' && error !== null) {
    const status =
      (error as { status?: unknown; statusCode?: unknown }).status ??
      (error as { statusCode?: unknown }).statusCode
    if (typeof status === 'number' && status >= 400 && status <= 599 && Number.isInteger(status))
      return status
  }
  return 500
}
