/**
 * HTTP/2 clients for tests, on node:http2's client: one request as it came
 * (`h2request`), and `h2fetch`, which does what `fetch` does over HTTP/1.1
 * (its default headers, redirects, decoding) so that a table of cases runs
 * on both protocols. Every session is closed after each test.
 */
import {
  type ClientHttp2Session,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type SecureClientSessionOptions,
  connect,
} from 'node:http2'
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib'
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
 * redirects followed unless `redirect: 'manual'`, bodies decoded as fetch
 * decodes them; a stream reset before a response is a TypeError, as a
 * failed fetch is.
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
    const answer = await h2request(
      session,
      { ...headers, ':method': method, ':path': url.pathname + url.search },
      body,
    )
    if (answer.status === 0) throw new TypeError(`fetch failed: stream reset (${answer.rstCode})`)
    const location = answer.headers.location
    if (REDIRECTS.has(answer.status) && request.redirect !== 'manual' && location) {
      if (redirects === 20) throw new TypeError('fetch failed: redirect count exceeded')
      url = new URL(String(location), url)
      if (answer.status === 303 || (answer.status <= 302 && method === 'POST')) {
        method = 'GET'
        body = undefined
        delete headers['content-type']
      }
      continue
    }
    return toResponse(answer, method, url, redirects > 0)
  }
}

function toResponse(answer: H2Answer, method: string, url: URL, redirected: boolean): Response {
  const headers = new Headers()
  for (const [name, value] of Object.entries(answer.headers)) {
    if (name.startsWith(':') || value === undefined) continue
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, String(item))
  }
  const empty = NULL_BODY.has(answer.status) || method === 'HEAD'
  const response = new Response(empty ? null : decode(answer.body, headers), {
    status: answer.status,
    headers,
  })
  Object.defineProperties(response, {
    url: { value: url.href },
    redirected: { value: redirected },
  })
  return response
}

function decode(body: Buffer, headers: Headers): Buffer {
  if (body.length === 0) return body
  const coding = headers.get('content-encoding')?.trim().toLowerCase()
  if (coding === 'gzip' || coding === 'x-gzip') return gunzipSync(body)
  if (coding === 'deflate') return inflateSync(body)
  if (coding === 'br') return brotliDecompressSync(body)
  return body
}
