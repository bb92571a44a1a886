/**
 * The servers of the `http2` setting. `h2`: node:http2's TLS server, whose
 * ALPN offers h2 and http/1.1 on the same port (`allowHTTP1`), HTTP/1.1
 * served with node:http's own events and options. `h2c`: node:http's
 * server, each new connection looked at first: one that opens with the
 * HTTP/2 preface (prior knowledge) goes to node:http2, any other stays
 * HTTP/1.1, so a proxy's health checks and WebSocket upgrades work on the
 * same port. Either way the gateway reads streams itself: node:http2's
 * compatibility layer (`Http2ServerRequest`) is never set up.
 * @module
 */
import { readFileSync } from 'node:fs'
import { type Server, type ServerOptions, createServer } from 'node:http'
import {
  type Http2SecureServer,
  type Http2Server,
  type SecureServerOptions,
  createServer as createCleartextServer,
  createSecureServer,
} from 'node:http2'
import type { Socket } from 'node:net'

import type { Config } from '../wsgi/config.js'
import { type Http2Host, serveHttp2 } from './http2-gateway.js'

/** What the gateway does with what the servers accept. */
export interface Http2Handlers extends Http2Host {
  /** A cleartext connection that turned out to speak HTTP/1.1 (h2c): node:http serves it now. */
  http1: (socket: Socket) => void
}

/** The server that listens, and the node:http2 server the streams come from. */
export interface Http2Servers {
  /** Listens and serves HTTP/1.1 with node:http's events (`request`, `upgrade`...) and options. */
  server: Server
  http2: Http2Server | Http2SecureServer
}

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')

/** Creates the servers of the `http2` setting, HTTP/1.1 configured with `options` (node:http's). */
export function createHttp2Servers(
  cfg: Readonly<Config>,
  options: ServerOptions,
  handlers: Http2Handlers,
): Http2Servers {
  const http2Options: SecureServerOptions = {
    settings: {
      maxConcurrentStreams: cfg.http2_max_streams,
      maxHeaderListSize: cfg.max_header_size,
    },
  }
  let servers: Http2Servers
  if (cfg.http2 === 'h2') {
    const http2 = createSecureServer({
      ...http2Options,
      allowHTTP1: true,
      key: readFileSync(cfg.key_file),
      cert: readFileSync(cfg.cert_file),
    })
    // HTTP/1.1 over it is node:http's: its options are read from the server itself
    Object.assign(http2, options)
    servers = { server: http2 as unknown as Server, http2 }
  } else {
    const server = createServer(options)
    const http2 = createCleartextServer(http2Options)
    // node:http's listener (the only one yet) serves a connection once it is known to be HTTP/1.1
    const [http1] = server.listeners('connection') as ((socket: Socket) => void)[]
    server.removeAllListeners('connection')
    server.on('connection', (socket: Socket) =>
      sniff(socket, cfg.headers_timeout, (isHttp2) => {
        if (isHttp2) return void http2.emit('connection', socket)
        http1!.call(server, socket)
        // node:http reads on from what the sniff put back
        socket.resume()
        handlers.http1(socket)
      }),
    )
    servers = { server, http2 }
  }
  serveHttp2(servers.http2, cfg, handlers)
  return servers
}

/**
 * Reads a connection's first bytes, until they are the HTTP/2 preface or
 * cannot be, puts them back and says which; a client that says nothing for
 * `timeout` seconds is dropped.
 */
function sniff(socket: Socket, timeout: number, decide: (isHttp2: boolean) => void): void {
  let received: Buffer | undefined
  const timer = setTimeout(() => socket.destroy(), timeout * 1000)
  // before the handover the socket is ours: an error ends it
  const onError = () => socket.destroy()
  const stop = () => {
    clearTimeout(timer)
    socket.off('data', onData)
    socket.off('close', stop)
    socket.off('error', onError)
  }
  const onData = (chunk: Buffer) => {
    received = received ? Buffer.concat([received, chunk]) : chunk
    const length = Math.min(received.length, PREFACE.length)
    const isHttp2 = received.subarray(0, length).equals(PREFACE.subarray(0, length))
    if (isHttp2 && length < PREFACE.length) return
    stop()
    socket.pause()
    socket.unshift(received)
    decide(isHttp2)
  }
  socket.on('data', onData)
  socket.once('close', stop)
  socket.on('error', onError)
}
