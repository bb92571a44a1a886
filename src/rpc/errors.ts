/**
 * JSON-RPC errors: `RpcError(code, message, data)` and the five the
 * specification defines, under pulsar's names. Thrown by methods on the
 * server, and by the client when a response carries an error.
 * @module
 */
import { setStackLimit } from '../wsgi/stack-limit.js'

/** The error codes of the JSON-RPC 2.0 specification (§5.1). */
export const RpcErrorCode = Object.freeze({
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** For HttpExceptions thrown by methods: the first code of the server-error range. */
  ServerError: -32000,
})

const CLIENT_CODES: ReadonlySet<number> = new Set([
  RpcErrorCode.ParseError,
  RpcErrorCode.InvalidRequest,
  RpcErrorCode.MethodNotFound,
  RpcErrorCode.InvalidParams,
])

/** The error object of a JSON-RPC response. */
export interface RpcErrorObject {
  code: number
  message: string
  data?: unknown
}

/** A JSON-RPC error: thrown by a method, it is sent to the client as `{code, message, data}`. */
export class RpcError extends Error {
  override name = 'RpcError'
  /** The JSON-RPC error code. */
  readonly code: number
  /** Extra information for the client (any JSON value). */
  readonly data: unknown

  constructor(code: number, message: string, data?: unknown) {
    const text = message === undefined ? '' : String(message)
    // the codes of a client's mistake carry no stack, as an HttpException below 500 does not:
    // it would only name the code that noticed, and a flood of bad calls would pay for it
    const limit = setStackLimit(CLIENT_CODES.has(code) ? 0 : Error.stackTraceLimit)
    super(text)
    setStackLimit(limit)
    if (!Number.isInteger(code))
      throw new TypeError(`A JSON-RPC error code is an integer, not ${code}`)
    this.code = code
    this.data = data
  }

  /** The error object as it travels in a response (`data` only when there is some). */
  toJSON(): RpcErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data }
  }
}

/** -32700: the message is not valid JSON. */
export class ParseError extends RpcError {
  override name = 'ParseError'
  constructor(message = 'Parse error', data?: unknown) {
    super(RpcErrorCode.ParseError, message, data)
  }
}

/** -32600: the message is JSON but not a valid request (or batch). */
export class InvalidRequest extends RpcError {
  override name = 'InvalidRequest'
  constructor(message = 'Invalid Request', data?: unknown) {
    super(RpcErrorCode.InvalidRequest, message, data)
  }
}

/** -32601: no method of that name (pulsar's NoSuchFunction). */
export class NoSuchFunction extends RpcError {
  override name = 'NoSuchFunction'
  constructor(message = 'Method not found', data?: unknown) {
    super(RpcErrorCode.MethodNotFound, message, data)
  }
}

/** -32602: the params do not fit the method. */
export class InvalidParams extends RpcError {
  override name = 'InvalidParams'
  constructor(message = 'Invalid params', data?: unknown) {
    super(RpcErrorCode.InvalidParams, message, data)
  }
}

/** -32603: the method failed; the client learns nothing more. */
export class InternalError extends RpcError {
  override name = 'InternalError'
  constructor(message = 'Internal error', data?: unknown) {
    super(RpcErrorCode.InternalError, message, data)
  }
}

const CLASSES: Record<number, new (message?: string, data?: unknown) => RpcError> = {
  [RpcErrorCode.ParseError]: ParseError,
  [RpcErrorCode.InvalidRequest]: InvalidRequest,
  [RpcErrorCode.MethodNotFound]: NoSuchFunction,
  [RpcErrorCode.InvalidParams]: InvalidParams,
  [RpcErrorCode.InternalError]: InternalError,
}

/** The RpcError for an error object received in a response: the class of its code, else RpcError. */
export function rpcErrorFrom(error: RpcErrorObject): RpcError {
  const known = Object.hasOwn(CLASSES, error.code) ? CLASSES[error.code] : undefined
  return known
    ? new known(error.message, error.data)
    : new RpcError(error.code, error.message, error.data)
}
