/**
 * An HTTP/2 stream as the request environ.ts reads: the stream itself is
 * the body (a Readable, as node:http's `IncomingMessage` is), given the
 * head's fields from the pseudo-headers, so the environ and `wsgi.input`
 * are built by the same code for both protocols.
 * @module
 */
import { type IncomingHttpHeaders, type ServerHttp2Stream, constants } from 'node:http2'

import { BadRequest, HttpException } from '../wsgi/errors.js'
import type { BodySource, IncomingRequest } from './environ.js'
import { Http2Response, remoteOpen } from './http2-response.js'
import type { SessionConnection } from './http2-session.js'

const { NGHTTP2_FLAG_END_STREAM } = constants

/** A stream with the fields of a request head. */
export type Http2Request = ServerHttp2Stream & IncomingRequest

/** What the gateway needs to answer one stream. */
export interface Http2Exchange {
  req: Http2Request
  res: Http2Response
  body: BodySource | undefined
  /** Why the request is answered with an error page instead of the application. */
  refusal: Error | undefined
}

/**
 * Watches a new stream of `connection`'s session: a reset the client sends
 * counts against the session's flood limit, and stream errors (a reset)
 * are expected.
 */
export function watchStream(stream: ServerHttp2Stream, connection: SessionConnection): void {
  stream.on('error', expected)
  stream.on('close', connection.streamClosed)
}

// a stream reset emits 'error': the response sees it as the client going away
function expected(): void {}

/** Whether a stream's request has a body: its HEADERS did not end the stream. */
export function hasBody(flags: number): boolean {
  return (flags & NGHTTP2_FLAG_END_STREAM) === 0
}

/**
 * Makes a stream the request environ.ts reads and the sink its response
 * goes through. Called once the body that came with the head was read (as
 * for HTTP/1.1, a `setImmediate` after the stream event), so that a body
 * already complete is handed over in memory.
 */
export function http2Exchange(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  flags: number,
  requestTimeout: number,
): Http2Exchange {
  const body = hasBody(flags)
  const complete = !body || !remoteOpen(stream)
  const { raw, refusal } = requestHeaders(headers, body, complete ? stream.readableLength : -1)
  const req = stream as Http2Request
  req.method = headers[':method']
  req.url = headers[':path']
  // SERVER_PROTOCOL is `HTTP/${httpVersion}`: HTTP/2
  req.httpVersion = '2'
  // environ.ts reads the raw list: the fields without pseudo-headers, as node:http lists them
  req.rawHeaders = raw
  req.complete = complete
  const res = new Http2Response(stream, body, req.method === 'HEAD')
  // a body slower than request_timeout gets 408, as over HTTP/1.1
  if (!complete) {
    const timer = setTimeout(expire, requestTimeout * 1000, stream, res).unref()
    stream.on('close', () => clearTimeout(timer))
  }
  const expect = headers.expect
  return {
    req,
    res,
    body: expect === '100-continue' ? { sendContinue: () => res.writeContinue() } : undefined,
    refusal,
  }
}

function expire(stream: ServerHttp2Stream, res: Http2Response): void {
  if (remoteOpen(stream)) res.overtake(408)
}

/**
 * The request headers as node:http lists them (`rawHeaders`), from HTTP/2's:
 * no pseudo-header; `:authority` as `host` (RFC 9113 §8.3.1), which must
 * then agree with a `Host` the client also sent (a request may have
 * neither: it names no authority); a body without a `content-length`
 * framed by the end of the stream, as `chunked` is over HTTP/1.1 (Apache's
 * mod_http2 says so too), or given its length when it is all here
 * (`length` >= 0).
 */
function requestHeaders(
  headers: IncomingHttpHeaders,
  body: boolean,
  length: number,
): { raw: string[]; refusal: Error | undefined } {
  const raw: string[] = []
  let host: string | string[] | undefined
  let framed = false
  for (const name in headers) {
    if (name.charCodeAt(0) === 58 /* : */) continue
    const value = headers[name]!
    if (name === 'host') {
      host = value
      continue
    }
    if (name === 'content-length') framed = true
    if (typeof value === 'string') raw.push(name, value)
    else for (const item of value) raw.push(name, item)
  }
  let refusal: Error | undefined
  const authority = headers[':authority']
  if (authority !== undefined) {
    if (host !== undefined && host !== authority)
      refusal = new BadRequest('The Host header and :authority differ')
    raw.push('host', authority)
  } else if (typeof host === 'string') raw.push('host', host)
  else if (host !== undefined) for (const item of host) raw.push('host', item)
  if (headers[':method'] === 'CONNECT')
    refusal = new HttpException('CONNECT is not supported: this server opens no tunnel', 501)
  if (body && !framed) {
    if (length >= 0) raw.push('content-length', String(length))
    else raw.push('transfer-encoding', 'chunked')
  }
  return { raw, refusal }
}
