/**
 * What a route handler returns, turned into a response: a `WsgiResponse` as
 * it is, text, bytes, a stream, or a value sent as JSON.
 * @module
 */
import { WsgiResponse } from '../wsgi/response.js'
import type { WsgiRequest } from '../wsgi/request.js'
import type { Body } from '../wsgi/types.js'

function isStream(value: object): value is Body {
  return Symbol.asyncIterator in value || Symbol.iterator in value
}

/**
 * The response for a handler's result:
 *
 * - a `WsgiResponse`: itself;
 * - `undefined` or `null`: 204 No Content;
 * - a string: 200 `text/plain; charset=utf-8`;
 * - bytes (`Uint8Array`, `Buffer`): 200 `application/octet-stream`;
 * - an array, a plain object, a number, a boolean: 200 JSON
 *   (`request.jsonResponse`, so a client that refuses JSON gets 406);
 * - any other iterable or async iterable (a generator, a Node `Readable`):
 *   streamed, `application/octet-stream`.
 */
export function toResponse(result: unknown, request: WsgiRequest): WsgiResponse {
  if (result instanceof WsgiResponse) return result
  if (result === undefined || result === null) return new WsgiResponse(204)
  if (typeof result === 'string') return new WsgiResponse(200, result)
  if (result instanceof Uint8Array)
    return new WsgiResponse(200, result, undefined, 'application/octet-stream')
  if (typeof result === 'object' && !Array.isArray(result) && isStream(result))
    return new WsgiResponse(200, result, undefined, 'application/octet-stream')
  return request.jsonResponse(result)
}
