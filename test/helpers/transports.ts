/**
 * The two transports an end-to-end table of cases runs on: HTTP/1.1 in
 * cleartext, with `fetch`, and HTTP/2 over TLS (h2 by ALPN, the way a
 * browser reaches a server terminating TLS), with `h2fetch`.
 *
 *     describe.each(transports)('MediaRouter over $name', (t) => { ... })
 */
import type { Callable, ServerOptions, WsgiApp } from 'pulsar-ts'

import { h2fetch } from './h2.js'
import { type Served, serve } from './listen.js'
import { testCertificate } from './tls.js'

/** A protocol a server is reached with. */
export interface Transport {
  /** The protocol as SERVER_PROTOCOL names it. */
  name: 'HTTP/1.1' | 'HTTP/2'
  /** The scheme of the requests. */
  scheme: 'http' | 'https'
  /** Starts `app` on a free loopback port, speaking this protocol. */
  serve(app: Callable<WsgiApp>, options?: ServerOptions): Promise<Served>
  /** fetch, over this protocol. */
  fetch(input: string | URL, init?: RequestInit): Promise<Response>
}

export const http1: Transport = {
  name: 'HTTP/1.1',
  scheme: 'http',
  serve,
  fetch: (input, init) => fetch(input, init),
}

export const http2: Transport = {
  name: 'HTTP/2',
  scheme: 'https',
  serve: (app, options = {}) => {
    const { key_file, cert_file } = testCertificate()
    return serve(app, { http2: 'h2', key_file, cert_file, ...options })
  },
  fetch: h2fetch,
}

/** Both, for `describe.each`. */
export const transports: readonly Transport[] = [http1, http2]
