/**
 * The two transports an end-to-end table of cases runs on: HTTP/1.1 in
 * cleartext, with `fetch`, and HTTP/2 over TLS (h2 by ALPN, the way a
 * browser reaches a server terminating TLS), with `h2fetch`.
 *
 *     describe.each(transports)('MediaRouter over $name', (t) => { ... })
 */
import { request } from 'node:http'
import { afterEach } from 'vitest'

import type { Callable, ServerOptions, WsgiApp } from 'pulsar-ts'

import { h2connect, h2fetch, h2request } from './h2.js'
import { type Served, serve } from './listen.js'
import { RawClient, hasWholeResponse, parseResponse, rawUntil } from './raw.js'
import { testCertificate } from './tls.js'

/** A response as it came, for `exact()`. */
export interface ExactResponse {
  status: number
  /** Lower-case names. */
  headers: Record<string, string>
  body: string
}

/** A response as it came, its body not decoded, for `bytes()`. */
export interface BytesResponse {
  status: number
  /** Lower-case names; a repeated one as its values joined with ', '. */
  headers: Record<string, string>
  body: Buffer
}

/** Header values as strings, repeated ones joined (node:http joins most already). */
function joined(
  headers: Record<string, string | number | string[] | undefined>,
): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers))
    if (!name.startsWith(':') && value !== undefined)
      fields[name] = Array.isArray(value) ? value.join(', ') : String(value)
  return fields
}

const clients = new Set<RawClient>()

afterEach(() => {
  for (const client of clients) client.close()
  clients.clear()
})

/** One connection (an HTTP/2 session), for requests that must share it. */
export interface TestConnection {
  /** A GET of `path` as written, on this connection. */
  get: (path: string) => Promise<ExactResponse>
}

/** A protocol a server is reached with. */
export interface Transport {
  /** The protocol as SERVER_PROTOCOL names it. */
  name: 'HTTP/1.1' | 'HTTP/2'
  /** The scheme of the requests. */
  scheme: 'http' | 'https'
  /** Starts `app` on a free loopback port, speaking this protocol. */
  serve: (app: Callable<WsgiApp>, options?: ServerOptions) => Promise<Served>
  /** fetch, over this protocol. */
  fetch: (input: string | URL, init?: RequestInit) => Promise<Response>
  /** One GET of `path` exactly as written (fetch would resolve `..`), on a new connection. */
  exact: (url: string, path: string, headers?: Record<string, string>) => Promise<ExactResponse>
  /** A connection for requests that must share one (keep-alive, or one session). */
  connect: (url: string) => Promise<TestConnection>
  /** One request on a new connection, the body as sent (not decoded, unlike fetch). */
  bytes: (
    url: string,
    options?: { method?: string; headers?: Record<string, string> },
  ) => Promise<BytesResponse>
}

export const http1: Transport = {
  name: 'HTTP/1.1',
  scheme: 'http',
  serve,
  fetch: (input, init) => fetch(input, init),
  exact: async (url, path, headers = {}) => {
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`)
    const request = `GET ${path} HTTP/1.1\r\nHost: x\r\n${lines.join('')}\r\n`
    return parseResponse(await rawUntil(Number(new URL(url).port), request, hasWholeResponse))
  },
  connect: async (url) => {
    const client = await RawClient.connect(Number(new URL(url).port))
    clients.add(client)
    let offset = 0
    return {
      get: async (path) => {
        client.send(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`)
        const received = await client.until((text) => hasWholeResponse(text.slice(offset)))
        const response = parseResponse(received.slice(offset))
        offset = received.length
        return response
      },
    }
  },
  bytes: (url, { method = 'GET', headers = {} } = {}) =>
    new Promise((resolve, reject) => {
      const req = request(url, { method, headers, agent: false }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            headers: joined(res.headers),
            body: Buffer.concat(chunks),
          }),
        )
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end()
    }),
}

export const http2: Transport = {
  name: 'HTTP/2',
  scheme: 'https',
  serve: (app, options = {}) => {
    const { key_file, cert_file } = testCertificate()
    return serve(app, { http2: 'h2', key_file, cert_file, ...options })
  },
  fetch: h2fetch,
  exact: async (url, path, headers = {}) => {
    const answer = await h2request(h2connect(url), { ...headers, ':path': path })
    return { status: answer.status, headers: joined(answer.headers), body: answer.text }
  },
  connect: (url) => {
    const session = h2connect(url)
    return Promise.resolve({
      get: async (path) => {
        const answer = await h2request(session, { ':path': path })
        return { status: answer.status, headers: joined(answer.headers), body: answer.text }
      },
    })
  },
  bytes: async (url, { method = 'GET', headers = {} } = {}) => {
    const { pathname, search } = new URL(url)
    const answer = await h2request(h2connect(url), {
      ...headers,
      ':method': method,
      ':path': pathname + search,
    })
    return { status: answer.status, headers: joined(answer.headers), body: answer.body }
  },
}

/** Both, for `describe.each`. */
export const transports: readonly Transport[] = [http1, http2]
