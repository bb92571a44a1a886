/**
 * JSON-RPC over HTTP: POST only, JSON bodies only, and the reply as
 * `application/json; charset=utf-8`: 200 for every reply that carries
 * JSON-RPC (errors included), 204 when there is none (notifications).
 * @module
 */
import { isUtf8 } from 'node:buffer'

import { MethodNotAllowed, NotAcceptable, UnsupportedMediaType } from '../wsgi/errors.js'
import type { WsgiRequest } from '../wsgi/request.js'
import { WsgiResponse } from '../wsgi/response.js'
import { isThenable } from '../wsgi/callable.js'
import { type Dispatcher, PARSE_ERROR, type Reply } from './dispatch.js'

/** The content type of every JSON-RPC reply. */
export const JSON_TYPE = 'application/json; charset=utf-8'

/** The request body types a JSON-RPC call may come as: `application/json`, the two JSON-RPC ones, and `+json` (stricter than `WsgiRequest.json()`, which takes any JSON subtype). */
export function isRpcBodyType(type: string): boolean {
  return (
    type === 'application/json' ||
    type === 'application/json-rpc' ||
    type === 'application/jsonrequest' ||
    (type.startsWith('application/') && type.endsWith('+json'))
  )
}

/**
 * Answers one HTTP request with the dispatcher's reply to the message in its
 * body: at once when the body is in memory and the methods answer at once.
 */
export function serveHttp(
  dispatcher: Dispatcher,
  request: WsgiRequest,
): WsgiResponse | Promise<WsgiResponse> {
  if (request.method !== 'POST') throw new MethodNotAllowed(['POST'])
  // the common case first: the Content-Type exactly as JSON-RPC clients send it
  if (request.environ.CONTENT_TYPE !== 'application/json' && !isRpcBodyType(request.contentType))
    throw new UnsupportedMediaType(
      `A JSON-RPC request is sent as application/json, not ${request.contentType || 'a body without a type'}`,
    )
  if (request.environ.HTTP_ACCEPT !== undefined && !request.accepts('application/json'))
    throw new NotAcceptable('A JSON-RPC reply is application/json')
  const body = request.bodySync()
  if (body !== undefined) return answer(dispatcher, body, request)
  return request.body().then((bytes) => answer(dispatcher, bytes, request))
}

function answer(
  dispatcher: Dispatcher,
  body: Buffer,
  request: WsgiRequest,
): WsgiResponse | Promise<WsgiResponse> {
  // JSON is UTF-8 (RFC 8259 §8.1), whatever charset the Content-Type claims; other bytes
  // are no JSON text, and decoding them anyway would change the strings (an id among them)
  const reply = isUtf8(body) ? dispatcher.receive(body.toString(), request) : PARSE_ERROR
  return isThenable<Reply>(reply) ? reply.then(respond) : respond(reply)
}

function respond(reply: Reply): WsgiResponse {
  if (reply.body === undefined) return new WsgiResponse(204)
  const exception = reply.exception
  return new WsgiResponse(exception?.status ?? 200, reply.body, exception?.headers, JSON_TYPE)
}
