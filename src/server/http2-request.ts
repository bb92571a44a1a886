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
 * already complete is handed over in memory. `fields` is the head as it
 * came (node:http2's `rawHeaders`: names and values in turn).
 */
export function http2Exchange(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  fields: readonly string[],
  flags: number,
  requestTimeout: number,
): Http2Exchange {
  const body = hasBody(flags)
  const complete = !body || !remoteOpen(stream)
  const req = stream as Http2Request
  req.method = headers[':method']
  req.url = headers[':path']
  // SERVER_PROTOCOL is `HTTP/${httpVersion}`: HTTP/2
  req.httpVersion = '2'
  // environ.ts reads the raw list: the fields without pseudo-headers, as node:http lists them
  req.rawHeaders = rawHeaders(fields, body, complete ? stream.readableLength : -1)
  req.complete = complete
  const res = new Http2Response(stream, body, req.method === 'HEAD')
  // a body slower than request_timeout gets 408, as over HTTP/1.1
  if (!complete) {
    const timer = setTimeout(expire, requestTimeout * 1000, stream, res).unref()
    stream.on('close', () => clearTimeout(timer))
  }
  return {
    req,
    res,
    body:
      headers.expect === '100-continue' ? { sendContinue: () => res.writeContinue() } : undefined,
    refusal: refusalOf(headers, req.rawHeaders),
  }
}

function expire(stream: ServerHttp2Stream, res: Http2Response): void {
  if (remoteOpen(stream)) res.overtake(408)
}

/**
 * The request headers as node:http lists them (`rawHeaders`), from HTTP/2's
 * fields: no pseudo-header (they come first, RFC 9113 §8.3, and nghttp2
 * refuses a request where they do not); `:authority` as `host` (RFC 9113
 * §8.3.1) when the client sent no Host; a body without a `content-length`
 * framed by the end of the stream, as `chunked` is over HTTP/1.1 (Apache's
 * mod_http2 says so too), or given its length when it is all here
 * (`length` >= 0). Repeated fields stay apart, cookie crumbs included
 * (RFC 9113 §8.2.3): environ.ts joins them as it joins HTTP/1.1's.
 */
function rawHeaders(fields: readonly string[], body: boolean, length: number): string[] {
  let start = 0
  while (start < fields.length && fields[start]!.charCodeAt(0) === 58 /* : */) start += 2
  let host = false
  let framed = false
  let authority: string | undefined
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!
    // names are lower case in HTTP/2 (RFC 9113 §8.2.1): nghttp2 refuses others
    if (name === 'host') host = true
    else if (name === 'content-length') framed = true
    else if (name === ':authority') authority = fields[i + 1]
  }
  const raw = fields.slice(start)
  if (authority !== undefined && !host) raw.push('host', authority)
  if (body && !framed) {
    if (length >= 0) raw.push('content-length', String(length))
    else raw.push('transfer-encoding', 'chunked')
  }
  return raw
}

/**
 * Why a request is refused before the application sees it: a Host that
 * differs from `:authority` (two Host fields are environ.ts's 400), or
 * CONNECT, since the gateway opens no tunnel.
 */
function refusalOf(headers: IncomingHttpHeaders, raw: readonly string[]): Error | undefined {
  if (headers[':method'] === 'CONNECT')
    return new HttpException('CONNECT is not supported: this server opens no tunnel', 501)
  const authority = headers[':authority']
  if (authority === undefined) return undefined
  for (let i = 0; i < raw.length; i += 2)
    if (raw[i] === 'host' && raw[i + 1] !== authority)
      return new BadRequest('The Host header and :authority differ')
  return undefined
}
