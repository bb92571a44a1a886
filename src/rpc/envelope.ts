/**
 * JSON-RPC's envelopes (spec §4, §5): the checks a message passes to be a
 * Request object, and the shape of the Response objects answered.
 * @module
 */
import type { HttpException } from '../wsgi/errors.js'
import { RpcErrorCode, type RpcErrorObject } from './errors.js'

/** The key an HttpException thrown by a method rides along under: a symbol, so JSON.stringify leaves it out. */
export const EXCEPTION = Symbol('httpException')

/** A request id: a string, a number or null (spec §4). */
export type JSONRPCID = string | number | null

/** A Request object that passed the envelope checks. */
export interface JSONRPCRequest {
  jsonrpc: '2.0'
  method: string
  params?: unknown
  /** Absent for a notification. */
  id?: JSONRPCID
}

/** A Response object, and the HttpException a method threw, which rides along. */
export interface Response {
  jsonrpc: '2.0'
  id: JSONRPCID
  result?: unknown
  error?: RpcErrorObject
  [EXCEPTION]?: HttpException
}

/** A call's answer: `null` for a notification. */
export type Answer = Response | null

/** A Response object carrying an error. */
export function errorResponse(id: JSONRPCID, error: RpcErrorObject): Response {
  return { jsonrpc: '2.0', id, error }
}

function isId(id: unknown): id is JSONRPCID {
  return typeof id === 'string' || typeof id === 'number' || id === null
}

/** The -32600 answer for a batch item or message that is not a Request object, or `undefined` when it is one. */
export function invalidRequest(message: unknown): Response | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message))
    return errorResponse(null, { code: RpcErrorCode.InvalidRequest, message: 'Invalid Request' })
  const call = message as Record<string, unknown>
  const hasId = Object.hasOwn(call, 'id')
  if (hasId && !isId(call.id))
    return errorResponse(null, {
      code: RpcErrorCode.InvalidRequest,
      message: 'Invalid Request',
      data: 'The id must be a string, a number or null',
    })
  const { params } = call
  const problem =
    call.jsonrpc !== '2.0'
      ? 'The jsonrpc member must be "2.0"'
      : typeof call.method !== 'string'
        ? 'The method must be a string'
        : // spec §4.2: params, when present, are a structured value
          params !== undefined && (typeof params !== 'object' || params === null)
          ? 'The params must be an array or an object'
          : undefined
  // spec §5: an invalid request is answered even without an id (it is no notification)
  const id = hasId ? (call.id as JSONRPCID) : null
  // a message with a result or an error is a Response object, not a Request (docs/rpc.md)
  if (problem === undefined && (Object.hasOwn(call, 'result') || Object.hasOwn(call, 'error')))
    return errorResponse(id, { code: RpcErrorCode.InvalidRequest, message: 'Invalid Request' })
  if (problem === undefined) return undefined
  return errorResponse(id, {
    code: RpcErrorCode.InvalidRequest,
    message: 'Invalid Request',
    data: problem,
  })
}
