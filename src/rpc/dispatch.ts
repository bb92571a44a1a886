/**
 * The transport-agnostic core of the JSON-RPC service: the text of one
 * message (a call, a notification or a batch) in, the text of the reply (or
 * nothing) out, at once when every method answers at once. It owns what the
 * specification demands: the envelope checks, the shape of batches, the
 * limits, params checking, and errors that never leak (docs/rpc.md).
 * @module
 */
import { STATUS_CODES } from 'node:http'

import { isThenable } from '../wsgi/callable.js'
import { HttpException } from '../wsgi/errors.js'
import type { WsgiRequest } from '../wsgi/request.js'
import {
  type Answer,
  EXCEPTION,
  type JSONRPCID,
  type JSONRPCRequest,
  type Response,
  errorResponse,
  invalidRequest,
} from './envelope.js'
import { InvalidParams, RpcError, RpcErrorCode, type RpcErrorObject } from './errors.js'
import { parseJson, pollutingKey } from '../wsgi/json-body.js'
import { type IdTexts, TOO_DEEP, exactJson, scanMessage } from './json.js'
import { type MethodEntry, callChecked } from './method.js'
import { bindParams } from './signature.js'

/** The limits a dispatcher enforces on every message. */
export interface DispatchLimits {
  maxBatch: number
  maxDepth: number
}

/** What a message gets back; an HttpException thrown by the method of a single call rides along. */
export interface Reply {
  /** The reply's text, or `undefined` when there is none (notifications). */
  body: string | undefined
  /** Set when the message was one call whose method threw an HttpException. */
  exception?: HttpException | undefined
}

const NO_REPLY: Reply = { body: undefined }

function errorReply(id: JSONRPCID, error: RpcErrorObject): Reply {
  return { body: JSON.stringify({ jsonrpc: '2.0', id, error }) }
}

/** The reply to a message that is not JSON (not even UTF-8, for a transport that reads bytes). */
export const PARSE_ERROR = errorReply(null, {
  code: RpcErrorCode.ParseError,
  message: 'Parse error',
})
const EMPTY_BATCH = errorReply(null, {
  code: RpcErrorCode.InvalidRequest,
  message: 'Invalid Request',
  data: 'An empty batch',
})

const METHOD_NOT_FOUND: RpcErrorObject = Object.freeze({
  code: RpcErrorCode.MethodNotFound,
  message: 'Method not found',
})

/** Runs JSON-RPC messages against a table of methods. */
export class Dispatcher {
  readonly #methods = new Map<string, MethodEntry>()
  readonly #limits: DispatchLimits
  readonly #tooDeep: Reply
  readonly #tooLarge: Reply

  constructor(methods: Iterable<MethodEntry>, limits: DispatchLimits) {
    this.#limits = limits
    for (const entry of methods) this.#methods.set(entry.name, entry)
    this.#tooDeep = errorReply(null, {
      code: RpcErrorCode.InvalidRequest,
      message: 'Invalid Request',
      data: `Nested deeper than ${limits.maxDepth} levels`,
    })
    this.#tooLarge = errorReply(null, {
      code: RpcErrorCode.InvalidRequest,
      message: 'Invalid Request',
      data: `A batch of more than ${limits.maxBatch} calls`,
    })
  }

  /** Whether a method of that (dotted) name is served. */
  has(name: string): boolean {
    return this.#methods.has(name)
  }

  /**
   * Answers the text of one message: a call, a notification or a batch. The
   * reply comes at once when every method it calls answers at once, else as
   * a promise.
   */
  receive(text: string, request: WsgiRequest): Reply | Promise<Reply> {
    // RFC 8259 §8.1: a parser may ignore a byte order mark
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    const ids = scanMessage(text, this.#limits.maxDepth)
    if (ids === TOO_DEEP) return this.#tooDeep
    let message: unknown
    try {
      message = parseJson(text)
    } catch {
      return PARSE_ERROR
    }
    if (!Array.isArray(message)) {
      const answer = this.#call(message, request)
      if (isThenable<Answer>(answer)) return answer.then((a) => single(a, ids[0], request))
      return single(answer, ids[0], request)
    }
    if (message.length === 0) return EMPTY_BATCH
    if (message.length > this.#limits.maxBatch) return this.#tooLarge
    const answers = message.map((item) => this.#call(item, request))
    if (answers.some((answer) => isThenable(answer)))
      return Promise.all(answers.map((answer) => Promise.resolve(answer))).then((all) =>
        batch(all, ids, request),
      )
    return batch(answers as Answer[], ids, request)
  }

  /** One call's answer: at once when its method answers at once. */
  #call(message: unknown, request: WsgiRequest): Answer | Promise<Answer> {
    const invalid = invalidRequest(message)
    if (invalid) return invalid
    const call = message as JSONRPCRequest
    const entry = this.#methods.get(call.method)
    if (entry !== undefined) return invoke(entry, call, request)
    // spec §4.1: a notification is never answered, even for a method that does not exist
    return call.id === undefined ? null : errorResponse(call.id, METHOD_NOT_FOUND)
  }
}

function single(answer: Answer, idText: string | undefined, request: WsgiRequest): Reply {
  if (answer === null) return NO_REPLY
  return { body: serialize(answer, idText, request), exception: answer[EXCEPTION] }
}

function batch(answers: Answer[], ids: IdTexts, request: WsgiRequest): Reply {
  const parts: string[] = []
  for (let index = 0; index < answers.length; index++) {
    const answer = answers[index]!
    if (answer !== null) parts.push(serialize(answer, ids[index], request))
  }
  // spec §6: a batch of notifications gets nothing, never an empty array
  return parts.length ? { body: `[${parts.join(',')}]` } : NO_REPLY
}

/** Calls a method for one request, at once or as a promise that never rejects: failures become error responses. */
function invoke(
  entry: MethodEntry,
  call: JSONRPCRequest,
  request: WsgiRequest,
): Answer | Promise<Answer> {
  const id = call.id
  let result: unknown
  try {
    const params: unknown = call.params
    const key = pollutingKey(params)
    if (key !== undefined)
      throw new InvalidParams(undefined, `The params may not have a "${key}" key`)
    const args = bindParams(entry.name, entry.signature, params as unknown[] | undefined)
    result =
      entry.params === undefined
        ? entry.fn.apply(entry.thisArg, [request, ...args] as never)
        : callChecked(
            entry,
            entry.params,
            request,
            args,
            params !== undefined && !Array.isArray(params),
          )
  } catch (error) {
    return failure(entry.name, id, error, request)
  }
  if (!isThenable(result)) return success(id, result)
  return Promise.resolve(result).then(
    (value) => success(id, value),
    (error: unknown) => failure(entry.name, id, error, request),
  )
}

function success(id: JSONRPCID | undefined, result: unknown): Response | null {
  if (id === undefined) return null
  return { jsonrpc: '2.0', id, result: result === undefined ? null : result }
}

/** The error response for a method's failure (`null` for a notification); unexpected ones are logged. */
function failure(
  name: string,
  id: JSONRPCID | undefined,
  error: unknown,
  request: WsgiRequest,
): Response | null {
  let response: Response
  if (error instanceof RpcError) response = errorResponse(id ?? null, error.toJSON())
  else if (error instanceof HttpException) {
    const { status } = error
    const message = error.expose ? error.message : (STATUS_CODES[status] ?? 'Error')
    response = errorResponse(id ?? null, {
      code: RpcErrorCode.ServerError,
      message,
      data: { status },
    })
    response[EXCEPTION] = error
  } else response = internalError(`JSON-RPC method ${name} failed`, id ?? null, error, request)
  return id === undefined ? null : response
}

/** -32603 with nothing of the error in it (unless in debug mode); the error goes to the log. */
function internalError(
  what: string,
  id: JSONRPCID,
  error: unknown,
  request: WsgiRequest,
): Response {
  const { environ } = request
  const consumer = environ['pulsar.cache']
  // a method that fails because its client went away is no server fault
  if (consumer.aborted) consumer.logger.debug(`${what}: the client went away`)
  else consumer.logger.error({ err: error, path: environ.PATH_INFO }, what)
  const debug = environ['pulsar.cfg'].debug && error instanceof Error
  return errorResponse(id, {
    code: RpcErrorCode.InternalError,
    message: 'Internal error',
    ...(debug ? { data: { message: error.message, stack: error.stack } } : {}),
  })
}

/** The text of an error object; one the specification would not take (spec §5.1) throws. */
function errorText({ code, message, data }: RpcErrorObject): string {
  if (!Number.isInteger(code) || typeof message !== 'string')
    throw new TypeError('A JSON-RPC error has an integer code and a string message')
  const head = `{"code":${code},"message":${JSON.stringify(message)}`
  return data === undefined ? `${head}}` : `${head},"data":${exactJson(data)}}`
}

/**
 * The text of a response: a numeric id as the client wrote it (`idText`),
 * and a result or error JSON cannot express exactly as -32603 rather than a
 * lost or altered reply.
 */
function serialize(response: Response, idText: string | undefined, request: WsgiRequest): string {
  const id =
    typeof response.id === 'number' && idText !== undefined ? idText : JSON.stringify(response.id)
  const head = `{"jsonrpc":"2.0","id":${id},`
  try {
    return response.error === undefined
      ? `${head}"result":${exactJson(response.result)}}`
      : `${head}"error":${errorText(response.error)}}`
  } catch (error) {
    const what = `The reply to JSON-RPC call ${id} cannot be serialised`
    const { error: internal } = internalError(what, response.id, error, request)
    return `${head}"error":${JSON.stringify(internal)}}`
  }
}
