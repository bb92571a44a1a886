/**
 * An HTTP/2 stream as the request environ.ts reads: the stream itself is
 * the body (a Readable, as node:http's `IncomingMessage` is), given the
 * head's fields from the pseudo-headers, so the environ and `wsgi.input`
 * are built by the same code for both protocols.
 * @module
 */
import { type ServerHttp2Stream, constants } from 'node:http2'

import { BadRequest, ExpectationFailed, HttpException } from '../wsgi/errors.js'
import type { BodySource, IncomingRequest } from './environ.js'
import { Http2Response, remoteOpen } from './http2-response.js'

const { NGHTTP2_FLAG_END_STREAM } = constants
// node:http's test of an Expect it answers with 100 Continue (any other expectation is a 417)
const CONTINUE = /(?:^|\W)100-continue(?:$|\W)/i

/**
 * Whether a path is ASCII: nghttp2 lets the bytes past it through in
 * `:path`, which node:http's parser answers with 400 (RFC 3986 has no such
 * character: a client percent-encodes it).
 */
function isAscii(path: string): boolean {
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) > 0x7e) return false
  return true
}

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

/** Whether a stream's request has a body: its HEADERS did not end the stream. */
export function hasBody(flags: number): boolean {
  return (flags & NGHTTP2_FLAG_END_STREAM) === 0
}

/**
 * Makes a stream the request environ.ts reads and the sink its response
 * goes through. Called once the body that came with the head was read (as
 * for HTTP/1.1, a `setImmediate` after the stream event), so that a body
 * already complete is handed over in memory. `fields` is the head as it
 * came (node:http2's `rawHeaders`: names and values in turn); node:http2's
 * headers object is not read, since every read of it is a dictionary
 * lookup.
 */
export function http2Exchange(
  stream: ServerHttp2Stream,
  fields: readonly string[],
  flags: number,
  requestTimeout: number,
): Http2Exchange {
  const body = hasBody(flags)
  const complete = !body || !remoteOpen(stream)
  const head = readFields(fields, body, complete ? stream.readableLength : -1)
  const req = stream as Http2Request
  req.method = head.method
  req.url = head.path
  // SERVER_PROTOCOL is `HTTP/${httpVersion}`: HTTP/2
  req.httpVersion = '2'
  // environ.ts reads the raw list: the fields without pseudo-headers, as node:http lists them
  req.rawHeaders = head.raw
  req.complete = complete
  const res = new Http2Response(stream, body, head.method === 'HEAD')
  // a body slower than request_timeout gets 408, as over HTTP/1.1
  if (!complete) {
    const timer = setTimeout(expire, requestTimeout * 1000, stream, res).unref()
    stream.on('close', () => clearTimeout(timer))
  }
  return {
    req,
    res,
    body: head.expect !== undefined ? { sendContinue: () => res.writeContinue() } : undefined,
    refusal: head.refusal,
  }
}

function expire(stream: ServerHttp2Stream, res: Http2Response): void {
  if (remoteOpen(stream)) res.overtake(408)
}

/** What a stream's fields say of its request. */
interface RequestHead {
  method: string | undefined
  path: string | undefined
  /** The request headers as node:http lists them (`rawHeaders`). */
  raw: string[]
  expect: string | undefined
  /** Why the request is refused before the application sees it. */
  refusal: Error | undefined
}

/**
 * Reads a request's fields in one pass. The raw list is the headers as
 * node:http lists them: no pseudo-header (they come first, RFC 9113 §8.3,
 * and nghttp2 refuses a request where they do not); `:authority` as `host`
 * (RFC 9113 §8.3.1) when the client sent no Host; a body without a
 * `content-length` framed by the end of the stream, as `chunked` is over
 * HTTP/1.1 (Apache's mod_http2 says so too), or given its length when it
 * is all here (`length` >= 0). Repeated fields stay apart, cookie crumbs
 * included (RFC 9113 §8.2.3): environ.ts joins them as it joins HTTP/1.1's.
 * A Host that differs from `:authority` is refused (two Host fields are
 * environ.ts's 400), and so is CONNECT, since the gateway opens no tunnel;
 * so are a path past ASCII and an expectation other than 100-continue, as
 * node:http refuses them over HTTP/1.1.
 */
function readFields(fields: readonly string[], body: boolean, length: number): RequestHead {
  let start = 0
  let method: string | undefined
  let path: string | undefined
  let authority: string | undefined
  let host: string | undefined
  let expect: string | undefined
  let framed = false
  let mismatch = false
  for (let i = 0; i < fields.length; i += 2) {
    // names are lower case in HTTP/2 (RFC 9113 §8.2.1): nghttp2 refuses others
    const name = fields[i]!
    const value = fields[i + 1]!
    if (name.charCodeAt(0) === 58 /* : */) {
      if (name === ':method') method = value
      else if (name === ':path') path = value
      else if (name === ':authority') authority = value
      if (i === start) start += 2
    } else if (name === 'host') {
      host = value
      if (authority !== undefined && value !== authority) mismatch = true
    } else if (name === 'content-length') framed = true
    else if (name === 'expect') expect = expect === undefined ? value : `${expect}, ${value}`
  }
  const raw = fields.slice(start)
  if (authority !== undefined && host === undefined) raw.push('host', authority)
  if (body && !framed) {
    if (length >= 0) raw.push('content-length', String(length))
    else raw.push('transfer-encoding', 'chunked')
  }
  const refusal = refusalOf(method, path, mismatch, expect)
  return { method, path, raw, expect, refusal }
}

/** Why a request is refused before the application sees it, if it is. */
function refusalOf(
  method: string | undefined,
  path: string | undefined,
  hostMismatch: boolean,
  expect: string | undefined,
): Error | undefined {
  if (method === 'CONNECT')
    return new HttpException('CONNECT is not supported: this server opens no tunnel', 501)
  if (hostMismatch) return new BadRequest('The Host header and :authority differ')
  if (path !== undefined && !isAscii(path)) return new BadRequest('Malformed request target')
  if (expect !== undefined && !CONTINUE.test(expect))
    return new ExpectationFailed(`Unsupported expectation ${JSON.stringify(expect)}`)
  return undefined
}
