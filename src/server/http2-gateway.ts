/**
 * HTTP/2 in the gateway: each session of the node:http2 server gets its
 * Connection, each stream is served as a request through the gateway's
 * own path, as node:http's pair is.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type {
  Http2SecureServer,
  Http2Server,
  IncomingHttpHeaders,
  ServerHttp2Session,
  ServerHttp2Stream,
} from 'node:http2'

import type { Config } from '../wsgi/config.js'
import type { ServerHandle } from '../wsgi/types.js'
import type { SocketConnection } from './connection.js'
import type { BodySource } from './environ.js'
import { hasBody, http2Exchange } from './http2-request.js'
import { SessionConnection } from './http2-session.js'

/** What sessions and streams need of the gateway. */
export interface Http2Host {
  /** The gateway (`pulsar.server`): its logger and whether it is closing. */
  readonly gateway: ServerHandle
  /** The gateway's open connections, which a drain goes through. */
  readonly connections: Set<SocketConnection>
  /** Serves one request on `connection`, answering `refusal` instead of running the application if given. */
  serve(
    req: IncomingMessage,
    res: ServerResponse,
    body: BodySource | undefined,
    connection: SocketConnection,
    refusal: Error | undefined,
  ): unknown
}

/** Serves the sessions and streams of `http2` through `host`. */
export function serveHttp2(
  http2: Http2Server | Http2SecureServer,
  cfg: Readonly<Config>,
  host: Http2Host,
): void {
  const { gateway, connections } = host
  const limits = { floodLimit: cfg.http2_flood_limit, idleTimeout: cfg.http_keep_alive }
  // the compatibility layer sets itself up on the first 'request' listener: not here
  http2.removeAllListeners('newListener')
  const serve = (
    stream: ServerHttp2Stream,
    fields: string[],
    flags: number,
    connection: SessionConnection,
  ) => {
    if (stream.closed) return
    const exchange = http2Exchange(stream, fields, flags, cfg.request_timeout)
    // the stream and its sink have what the gateway reads of node:http's pair
    host.serve(
      exchange.req as unknown as IncomingMessage,
      exchange.res as unknown as ServerResponse,
      exchange.body,
      connection,
      exchange.refusal,
    )
  }
  http2.on('session', (session: ServerHttp2Session) => {
    const connection = new SessionConnection(session, gateway, limits, gateway.logger)
    connections.add(connection)
    session.once('close', () => connections.delete(connection))
    if (gateway.closing) connection.goAway()
    // node:http2's own listener only passes each stream on to the server's 'stream'
    // event, which nothing here reads: without it, a stream is one call of one listener
    session.removeAllListeners('stream')
    // The session's own event, not the server's: a stream reset in the packets that
    // opened it (RST_STREAM after HEADERS, or a DATA frame past its content-length)
    // is destroyed before node:http2 emits it, and no longer knows its session.
    // As over HTTP/1.1, a request with a body starts once node:http2 is done with
    // the packets that came with its head, so a small body is complete and in memory.
    session.on(
      'stream',
      (
        stream: ServerHttp2Stream,
        _headers: IncomingHttpHeaders,
        flags: number,
        fields: string[],
      ) => {
        // its close counts (a reset toward the flood limit) even when it is gone already
        connection.watch(stream)
        if (stream.destroyed) return
        // a stream that came in the same packets as what closed its session
        if (session.destroyed) return void stream.close()
        if (hasBody(flags)) setImmediate(serve, stream, fields, flags, connection)
        else serve(stream, fields, flags, connection)
      },
    )
  })
}
