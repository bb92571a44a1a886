/**
 * HTTP/2 clients for tests, on node:http2's client: one request as it came
 * (`h2request`), and `h2fetch`, which does what `fetch` does over HTTP/1.1
 * (its default headers, redirects, decoding) so that a table of cases runs
 * on both protocols. Every session is closed after each test.
 */
import {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type SecureClientSessionOptions,
  connect,
} from 'node:http2'
import { Readable } from 'node:stream'
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib'
import { afterEach } from 'vitest'

import { testCertificate } from './tls.js'

const sessions = new Set<ClientHttp2Session>()
const pool = new Map<string, ClientHttp2Session>()

afterEach(() => {
  for (const session of sessions) session.destroy()
  sessions.clear()
  pool.clear()
})

/** A session to `url` (trusting the test certificate over https), closed after the test. */
export function h2connect(
  url: string | URL,
  options: SecureClientSessionOptions = {},
): ClientHttp2Session {
  const session = connect(url, { ca: testCertificate().ca, ...options })
  // a test sees what went wrong through its streams and the session's events
  session.on('error', () => undefined)
  sessions.add(session)
  session.once('close', () => sessions.delete(session))
  return session
}

/** What came back on one stream, however it ended. */
export interface H2Answer {
  /** 0 when no response head came. */
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
  text: string
  /** The RST_STREAM code the stream closed with (0: none, or NO_ERROR). */
  rstCode: number
}

/** Sends one request on `session` and waits until its stream closes. */
export function h2request(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders,
  body?: string | Uint8Array,
): Promise<H2Answer> {
  return new Promise((resolve) => {
    const stream = session.request(headers, { endStream: body === undefined })
    let head: IncomingHttpHeaders = {}
    const chunks: Buffer[] = []
    stream.on('response', (received) => (head = received))
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.on('error', () => undefined)
    stream.on('close', () => {
      const data = Buffer.concat(chunks)
      resolve({
        status: Number(head[':status'] ?? 0),
        headers: head,
        body: data,
        text: data.toString(),
        rstCode: stream.rstCode ?? 0,
      })
    })
    if (body !== undefined) stream.end(body)
  })
}

// what fetch (undici) sends unless told otherwise
const FETCH_HEADERS = {
  accept: '*/*',
  'accept-language': '*',
  'sec-fetch-mode': 'cors',
  'user-agent': 'node',
  'accept-encoding': 'gzip, deflate',
}
const REDIRECTS = new Set([301, 302, 303, 307, 308])
const NULL_BODY = new Set([101, 204, 205, 304])

/**
 * `fetch` over HTTP/2 (one session per origin): the same default headers,
 * redirects followed unless `redirect: 'manual'`, the body streamed and
 * decoded as fetch decodes it; a stream reset before a response is a
 * TypeError, as a failed fetch is.
 */
export async function h2fetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
  let url = new URL(input)
  const request = new Request(url, init)
  let method = request.method
  let body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined
  const headers: Record<string, string> = { ...FETCH_HEADERS }
  for (const [name, value] of request.headers) headers[name] = value
  for (let redirects = 0; ; redirects++) {
    let session = pool.get(url.origin)
    if (!session || session.closed || session.destroyed) {
      session = h2connect(url)
      pool.set(url.origin, session)
    }
    const stream = session.request(
      { ...headers, ':method': method, ':path': url.pathname + url.search },
      { endStream: body === undefined, signal: init.signal ?? undefined },
    )
    if (body !== undefined) stream.end(body)
    const head = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
      stream.once('response', resolve)
      stream.once('close', () =>
        // as fetch: an abort rejects with the signal's reason
        reject(
          init.signal?.aborted
            ? (init.signal.reason as Error)
            : new TypeError(`fetch failed: stream closed (${stream.rstCode})`),
        ),
      )
      stream.on('error', () => undefined)
    })
    const status = Number(head[':status'])
    const location = head.location
    if (REDIRECTS.has(status) && request.redirect !== 'manual' && location) {
      stream.resume()
      if (redirects === 20) throw new TypeError('fetch failed: redirect count exceeded')
      url = new URL(String(location), url)
      if (status === 303 || (status <= 302 && method === 'POST')) {
        method = 'GET'
        body = undefined
        delete headers['content-type']
      }
      continue
    }
    return toResponse(stream, head, method, url, redirects > 0)
  }
}

function toResponse(
  stream: ClientHttp2Stream,
  head: IncomingHttpHeaders,
  method: string,
  url: URL,
  redirected: boolean,
): Response {
  const status = Number(head[':status'])
  const headers = new Headers()
  for (const [name, value] of Object.entries(head)) {
    if (name.startsWith(':') || value === undefined) continue
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, String(item))
  }
  let body: Readable | null = null
  if (NULL_BODY.has(status) || method === 'HEAD') stream.resume()
  else body = decoded(stream, headers.get('content-encoding')?.trim().toLowerCase())
  const response = new Response(body && (Readable.toWeb(body) as ReadableStream<Uint8Array>), {
    status,
    headers,
  })
  Object.defineProperties(response, {
    url: { value: url.href },
    redirected: { value: redirected },
  })
  return response
}

function decoded(stream: ClientHttp2Stream, coding: string | undefined): Readable {
  const decoder =
    coding === 'gzip' || coding === 'x-gzip'
      ? createGunzip()
      : coding === 'deflate'
        ? createInflate()
        : coding === 'br'
          ? createBrotliDecompress()
          : undefined
  if (!decoder) return stream
  stream.on('error', (error: Error) => decoder.destroy(error))
  return stream.pipe(decoder)
}
