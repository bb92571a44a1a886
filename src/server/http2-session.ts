/**
 * The Connection of an HTTP/2 session: one per session, shared by its
 * streams as a socket's Connection is by its requests, with what a drain
 * needs (GOAWAY first, the session destroyed last) and the guard against
 * floods of frames that cost the server work and carry no request.
 * @module
 */
import { type ServerHttp2Session, type ServerHttp2Stream, constants } from 'node:http2'

import type { Logger, ServerHandle } from '../wsgi/types.js'
import { SocketConnection } from './connection.js'
import { kResetByServer } from './http2-response.js'

// the idle check runs this many times per `http_keep_alive`: a session closes between
// one and 1.25 times it after its last stream
const IDLE_TICKS = 4

/** The Connection of an HTTP/2 session (`environ['pulsar.connection']` of its streams). */
export class SessionConnection extends SocketConnection {
  /** The node:http2 session. */
  readonly session: ServerHttp2Session
  readonly #limit: number
  readonly #logger: Logger
  /**
   * The 'close' listener of the session's streams: one stream fewer is
   * open, and a reset the client sent counts toward the flood limit. One
   * per session, not a property of each stream (node:http2 forgets a
   * stream's session before its 'close').
   */
  readonly streamClosed: (this: ServerHttp2Stream) => void
  #level = 0
  #since = 0
  /** Streams open now. */
  #open = 0
  /** Idle checks passed with no stream open since the last one closed. */
  #quiet = 0

  /**
   * Watches the session: `floodLimit` frames (SETTINGS, PING, RST_STREAM)
   * may come in a burst, then a tenth of it per second (the
   * `http2_flood_limit` setting); a session idle for `idleTimeout` seconds
   * is closed (GOAWAY), as an idle keep-alive connection is (0: never).
   */
  constructor(
    session: ServerHttp2Session,
    server: ServerHandle | undefined,
    limits: { floodLimit: number; idleTimeout: number },
    logger: Logger,
  ) {
    // node:http2's socket is a proxy that refuses reads and writes: the session owns it
    super(session.socket, server, undefined, session.encrypted === true)
    this.session = session
    const count = () => this.count()
    const closed = () => this.#open--
    this.streamClosed = function (this: ServerHttp2Stream & { [kResetByServer]?: true }) {
      closed()
      if (this.rstCode !== constants.NGHTTP2_NO_ERROR && this[kResetByServer] !== true) count()
    }
    this.#limit = limits.floodLimit
    this.#logger = logger
    session.on('ping', count)
    session.on('remoteSettings', count)
    // a session error (a flood node:http2 caught itself, a reset socket) ends it: nothing to answer
    session.on('error', (error: Error) => logger.debug({ err: error }, 'HTTP/2 session error'))
    if (limits.idleTimeout > 0) this.#watchIdle(limits.idleTimeout)
  }

  /**
   * Watches a new stream of the session: a reset the client sends counts
   * against the flood limit, and stream errors (a reset) are expected.
   */
  watch(stream: ServerHttp2Stream): void {
    this.#open++
    this.#quiet = 0
    stream.on('error', expected)
    stream.on('close', this.streamClosed)
  }

  // a destroyed session's socket proxy throws on every read: it is closing anyway
  override quiet(now: number): void {
    if (!this.session.destroyed) super.quiet(now)
  }

  override idleFor(now: number): number {
    return this.session.destroyed ? 0 : super.idleFor(now)
  }

  /** GOAWAY: no new stream is accepted; the session closes once its open streams are done. */
  override goAway(): void {
    if (!this.session.closed && !this.session.destroyed) this.session.close()
  }

  /** Destroys the session and its socket. */
  override close(): void {
    this.session.destroy()
  }

  /**
   * Closes the session (GOAWAY) once no stream has been open for `seconds`.
   * A timer of its own, not node:http2's `session.setTimeout()`, which is
   * pushed back by every frame of every stream, four times a
   * request (docs/performance.md, "Seventh pass").
   */
  #watchIdle(seconds: number): void {
    const timer = setInterval(
      () => {
        if (this.#open > 0) this.#quiet = 0
        else if (++this.#quiet > IDLE_TICKS) this.goAway()
      },
      // past 2^31 - 1 ms, node:timers would fire at once
      Math.min((seconds * 1000) / IDLE_TICKS, 0x7fffffff),
    ).unref()
    this.session.once('close', () => clearInterval(timer))
  }

  /**
   * Counts one frame of a kind a flood is made of. A leaky bucket: it holds
   * the limit and leaks a tenth of it per second; once it overflows, the
   * session is closed with ENHANCE_YOUR_CALM (RFC 9113 §5.4.1, the answer to
   * the rapid reset attack, CVE-2023-44487).
   */
  count(): void {
    const now = performance.now()
    const leaked = ((now - this.#since) / 1000) * (this.#limit / 10)
    this.#since = now
    this.#level = Math.max(0, this.#level - leaked) + 1
    if (this.#level <= this.#limit || this.session.destroyed) return
    this.#logger.warn(
      { remote: this.remote[0] },
      'Closed an HTTP/2 connection flooding the server with SETTINGS, PING or RST_STREAM frames',
    )
    // an error with a code, as node's own: a stream's reader takes it for the client going away
    const error = Object.assign(new Error('HTTP/2 flood'), { code: 'ERR_HTTP2_FLOOD' })
    this.session.destroy(error, constants.NGHTTP2_ENHANCE_YOUR_CALM)
  }
}

// a stream reset emits 'error': the response sees it as the client going away
function expected(): void {}
