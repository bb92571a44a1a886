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
import { Http2Response, kResetByServer, remoteOpen } from './http2-response.js'
import type { SessionConnection } from './http2-session.js'

const { NGHTTP2_FLAG_END_STREAM, NGHTTP2_NO_ERROR } = constants

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

const kConnection = Symbol('pulsar.connection')
type WatchedStream = ServerHttp2Stream & {
  [kConnection]?: SessionConnection
  [kResetByServer]?: true
}

/**
 * Watches a new stream of `connection`'s session: a reset the client sends
 * counts against the session's flood limit, and stream errors (a reset)
 * are expected.
 */
export function watchStream(stream: ServerHttp2Stream, connection: SessionConnection): void {
  // node:http2 forgets a stream's session before its 'close'
  ;(stream as WatchedStream)[kConnection] = connection
  stream.on('error', expected)
  stream.on('close', countReset)
}

// a stream reset emits 'error': the response sees it as the client going away
function expected(): void {}

function countReset(this: WatchedStream): void {
  if (this.rstCode !== NGHTTP2_NO_ERROR && this[kResetByServer] !== true) this[kConnection]?.count()
}

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
  const { fields, refusal } = requestHeaders(headers, body, complete ? stream.readableLength : -1)
  const req = stream as Http2Request
  req.method = headers[':method']
  req.url = headers[':path']
  // SERVER_PROTOCOL is `HTTP/${httpVersion}`: HTTP/2
  req.httpVersion = '2'
  // environ.ts reads the raw list: the fields without pseudo-headers, as node:http lists them
  req.rawHeaders = rawList(fields)
  req.headers = fields
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

function rawList(fields: IncomingHttpHeaders): string[] {
  const raw: string[] = []
  for (const name in fields) {
    const value = fields[name]!
    if (typeof value === 'string') raw.push(name, value)
    else for (const item of value) raw.push(name, item)
  }
  return raw
}

function expire(stream: ServerHttp2Stream, res: Http2Response): void {
  if (remoteOpen(stream)) res.overtake(408)
}

/**
 * The request headers as node:http gives them, from HTTP/2's: no
 * pseudo-header; `:authority` as `host` (RFC 9113 §8.3.1), which must then
 * agree with a `Host` the client also sent (a request may have neither: it
 * names no authority); a body without a
 * `content-length` framed by the end of the stream, as `chunked` is over
 * HTTP/1.1 (Apache's mod_http2 says so too), or given its length when it
 * is all here (`length` >= 0).
 */
function requestHeaders(
  headers: IncomingHttpHeaders,
  body: boolean,
  length: number,
): { fields: IncomingHttpHeaders; refusal: Error | undefined } {
  const fields: IncomingHttpHeaders = {}
  for (const name in headers) if (name.charCodeAt(0) !== 58 /* : */) fields[name] = headers[name]
  let refusal: Error | undefined
  const authority = headers[':authority']
  if (authority !== undefined) {
    if (fields.host !== undefined && fields.host !== authority)
      refusal = new BadRequest('The Host header and :authority differ')
    fields.host = authority
  }
  if (headers[':method'] === 'CONNECT')
    refusal = new HttpException('CONNECT is not supported: this server opens no tunnel', 501)
  if (body && fields['content-length'] === undefined) {
    if (length >= 0) fields['content-length'] = String(length)
    else fields['transfer-encoding'] = 'chunked'
  }
  return { fields, refusal }
}
