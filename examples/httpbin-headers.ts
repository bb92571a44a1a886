/**
 * httpbin's response headers: `/response-headers` sets the headers its query
 * names and echoes them; `/response_headers` does the same and shows the
 * head exactly as it went out, the server's own headers included (pulsar's,
 * which read it in the `on_headers` event).
 * @module
 */
import { validateHeaderName, validateHeaderValue } from 'node:http'

import { BadRequest, type Header, type WsgiRequest, WsgiResponse, isHopByHop } from 'pulsar-ts'

import { multiDict } from './httpbin-echo.js'

const JSON_TYPE = 'application/json; charset=utf-8'

/**
 * The headers the query asks for. A malformed name or value is a 400, and
 * so is a header that frames the response or belongs to the connection
 * (`Content-Length`, `Transfer-Encoding`, `Connection`...): the server
 * chooses those, never the client.
 */
export function queryHeaders(request: WsgiRequest): Header[] {
  const headers: Header[] = []
  for (const [name, value] of request.query) {
    try {
      validateHeaderName(name)
      validateHeaderValue(name, value)
    } catch {
      throw new BadRequest(`Invalid header ${JSON.stringify(name)}`)
    }
    if (isHopByHop(name) || name.toLowerCase() === 'content-length')
      throw new BadRequest(`${name} is the server's to choose, not the client's`)
    headers.push([name, value])
  }
  return headers
}

/** A response with these headers; JSON unless they name another Content-Type. */
function withHeaders(headers: Header[]): WsgiResponse {
  const response = new WsgiResponse(200, undefined, headers)
  response.contentType ??= JSON_TYPE
  return response
}

/** GET /response-headers: the query's headers set on the response and echoed as JSON. */
export function responseHeaders(request: WsgiRequest): WsgiResponse {
  const headers = queryHeaders(request)
  const response = withHeaders(headers)
  // bytes, so a text type the client chose is sent as given (no charset added)
  response.content = Buffer.from(JSON.stringify(multiDict(headers)))
  return response
}

/** The headers of a response head (`HTTP/1.1 200 OK\r\nName: value\r\n...`), repeated ones as lists. */
export function parseHead(head: string): Record<string, string | string[]> {
  const pairs: [string, string][] = []
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':')
    if (colon > 0) pairs.push([line.slice(0, colon), line.slice(colon + 1).trim()])
  }
  return multiDict(pairs)
}

/** GET /response_headers: the query's headers set, then every header as it went out, as JSON. */
export function sentHeaders(request: WsgiRequest): WsgiResponse {
  const response = withHeaders(queryHeaders(request))
  const consumer = request.environ['pulsar.cache']
  function* body() {
    // the head goes out with the first byte: only then is it known
    yield '{'
    yield JSON.stringify(parseHead(consumer.head ?? '')).slice(1)
  }
  response.content = body()
  return response
}
