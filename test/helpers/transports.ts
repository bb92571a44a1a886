/**
 * The two transports an end-to-end table of cases runs on: HTTP/1.1 in
 * cleartext, with `fetch`, and HTTP/2 over TLS (h2 by ALPN, the way a
 * browser reaches a server terminating TLS), with `h2fetch`.
 *
 *     describe.each(transports)('MediaRouter over $name', (t) => { ... })
 */
import type { Callable, ServerOptions, WsgiApp } from 'pulsar-ts'

import { h2connect, h2fetch, h2request } from './h2.js'
import { type Served, serve } from './listen.js'
import { hasWholeResponse, parseResponse, rawUntil } from './raw.js'
import { testCertificate } from './tls.js'

/** A response as it came, for `exact()`. */
export interface ExactResponse {
  status: number
  /** Lower-case names. */
  headers: Record<string, string>
  body: string
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
    const fields: Record<string, string> = {}
    for (const [name, value] of Object.entries(answer.headers))
      if (!name.startsWith(':') && value !== undefined) fields[name] = String(value)
    return { status: answer.status, headers: fields, body: answer.text }
  },
}

/** Both, for `describe.each`. */
export const transports: readonly Transport[] = [http1, http2]
