/**
 * WebSocketProtocol: the open socket a WebSocket handler is given (pulsar's
 * name). It delivers the connection's events to the handler in order,
 * applies backpressure to writes, and answers the heartbeat.
 * @module
 */
import type { Socket } from 'node:net'

import { isThenable } from '../wsgi/callable.js'
import type { WsgiRequest } from '../wsgi/request.js'
import { CallbackQueue, Events, type Kind, type Pending, type QueueHost } from './callbacks.js'
import type { Logger, ResponseConsumer, ServerHandle } from '../wsgi/types.js'
import { checkClose, checkControlPayload } from './control.js'
import { Drain } from './drain.js'
import type { ResolvedOptions } from './options.js'
import type { EngineEvents, EngineSocket } from './transport.js'

const OPEN = 1
const RESOLVED = Promise.resolve()

/**
 * The callbacks of a WebSocket route; each may be missing, and each may be
 * asynchronous. For one socket they run one at a time, in the order the
 * events happened: a callback starts once the previous one (or its promise)
 * finished, and `onClose` comes last.
 */
export interface WebSocketHandler {
  /** The socket opened (the 101 was sent). */
  onOpen?(ws: WebSocketProtocol): unknown
  /** A text message arrived (valid UTF-8, whole, at most `maxPayload` bytes). */
  onMessage?(ws: WebSocketProtocol, text: string): unknown
  /** A binary message arrived. */
  onBytes?(ws: WebSocketProtocol, bytes: Buffer): unknown
  /** The peer pinged; when the handler has no `onPing`, the socket answers with a pong. */
  onPing?(ws: WebSocketProtocol, data: Buffer): unknown
  /** The peer answered a ping. */
  onPong?(ws: WebSocketProtocol, data: Buffer): unknown
  /**
   * The socket closed: `code` is the peer's close code (1005 when its frame
   * had none, 1006 when the connection dropped without a close frame).
   */
  onClose?(ws: WebSocketProtocol, code: number, reason: string): unknown
}

/** The open sockets of a route (its hub): a socket joins when it opens and leaves when it closes. */
export interface SocketSet {
  add(socket: WebSocketProtocol): void
  delete(socket: WebSocketProtocol): void
}

/** What a socket needs from its route. */
export interface SocketContext {
  readonly handler: WebSocketHandler
  readonly options: ResolvedOptions
  readonly hub: SocketSet
  readonly logger: Logger
  /** The `pulsar.cache` of its handshake's environ, once the 101 is sent. */
  readonly consumer: ResponseConsumer
}

/** The socket a WebSocket handler is given: write, ping, close, and what the handshake brought. */
export class WebSocketProtocol {
  /** The request of the upgrade (headers, cookies, what middleware put in its environ). */
  readonly handshake: WsgiRequest
  readonly #context: SocketContext
  readonly #socket: Socket
  #engine!: EngineSocket
  #cache: Record<string, unknown> | undefined
  // made when a callback first answers with a promise: until then, each runs at once
  #callbacks: CallbackQueue | undefined
  #alive = true
  #closed = false
  #drain: Drain | undefined

  /** Made by the WebSocket route when a handshake completes; not meant to be built by hand. */
  constructor(handshake: WsgiRequest, socket: Socket, context: SocketContext) {
    this.handshake = handshake
    this.#socket = socket
    this.#context = context
  }

  /** Opens the socket on the engine's connection and tells the handler. */
  static open(
    protocol: WebSocketProtocol,
    accept: (events: EngineEvents<WebSocketProtocol>) => EngineSocket | undefined,
  ): boolean {
    const engine = accept(WebSocketProtocol.#events)
    if (engine === undefined) return false
    protocol.#engine = engine
    protocol.#context.hub.add(protocol)
    protocol.#deliver([Events.open, undefined])
    return true
  }

  static readonly #events: EngineEvents<WebSocketProtocol> = {
    message: (socket, data, isBinary) =>
      socket.#deliver(isBinary ? [Events.bytes, data] : [Events.message, data.toString()]),
    ping: (socket, data) => socket.#deliver([Events.ping, data]),
    pong: (socket, data) => {
      socket.#alive = true
      socket.#deliver([Events.pong, data])
    },
    closing: (socket, code, reason) => socket.#callbacks?.peerClosing(code, reason) ?? false,
    close: (socket, code, reason) => {
      socket.#closed = true
      socket.#callbacks?.closed()
      socket.#context.hub.delete(socket)
      socket.#drain?.check()
      socket.#deliver([Events.close, code, reason])
    },
    error: (socket, error) =>
      socket.#context.logger.debug(
        { code: error.code, path: socket.handshake.path },
        `WebSocket closed on an error: ${error.message}`,
      ),
  }

  /** The values the route's rule took from the URL (`<int:id>` gives `urlargs.id`). */
  get urlargs(): Record<string, unknown> {
    return this.handshake.urlargs
  }

  /** A place for per-socket state (the user, subscriptions...). */
  get cache(): Record<string, unknown> {
    return (this.#cache ??= {})
  }

  /** The server the socket came through. */
  get server(): ServerHandle | undefined {
    return this.handshake.environ['pulsar.connection'].server
  }

  /** The subprotocol agreed in the handshake, or `''`. */
  get protocol(): string {
    return this.#engine.protocol
  }

  /** Bytes queued for sending that the client has not taken yet. */
  get bufferedAmount(): number {
    return this.#engine.bufferedAmount
  }

  /**
   * Whether the socket closed or is closing: the peer sent its close frame
   * (the messages it sent before are still handled, and their writes still
   * go out) or the server did (writes are then dropped).
   */
  get closed(): boolean {
    return this.#closed || this.#callbacks?.closing === true || this.#engine.readyState !== OPEN
  }

  /**
   * Sends a message: text as a text frame, bytes as a binary one. Resolves
   * at once while less than `highWaterMark` bytes wait to be sent, else
   * once the client has read enough. Past `maxBufferedAmount` (a client that
   * does not read) the socket is closed with 1008 and the message dropped.
   * On a closed socket the message is dropped and the promise resolves.
   */
  write(data: string | Uint8Array): Promise<void> {
    const engine = this.#engine
    if (engine.readyState !== OPEN) return RESOLVED
    const options = this.#context.options
    if (engine.bufferedAmount > options.maxBufferedAmount) {
      this.#context.logger.debug(
        { path: this.handshake.path, buffered: engine.bufferedAmount },
        'Closed a WebSocket whose client does not read',
      )
      this.close(1008, 'Send buffer full')
      return RESOLVED
    }
    engine.send(data)
    if (engine.bufferedAmount <= options.highWaterMark) return RESOLVED
    this.#drain ??= new Drain(this.#socket, () => {
      if (!this.#closed && this.#engine.bufferedAmount > options.highWaterMark) return false
      this.#drain = undefined
      return true
    })
    return this.#drain.promise
  }

  /**
   * Pings the client; its pong reaches `onPong`. Data over 125 bytes throws
   * a `TypeError`, whether the socket is open or not (dropped when it is not).
   */
  ping(data?: string | Uint8Array): void {
    checkControlPayload('A ping', data)
    if (this.#engine.readyState === OPEN) this.#engine.ping(data)
  }

  /** Sends a pong (unsolicited, or to answer a ping in `onPing`); data over 125 bytes throws a `TypeError`. */
  pong(data?: string | Uint8Array): void {
    checkControlPayload('A pong', data)
    if (this.#engine.readyState === OPEN) this.#engine.pong(data)
  }

  /**
   * Starts the closing handshake with `code` (1000, 1001, 1003, 1007 to
   * 1014 but 1010, or 3000 to 4999) and a reason of at most 123 bytes; the
   * connection is cut if the client does not answer within `closeTimeout`.
   */
  close(code = 1000, reason = ''): void {
    checkClose(code, reason)
    this.#engine.close(code, reason)
  }

  /** Cuts the connection at once, without a closing handshake. */
  terminate(): void {
    this.#engine.terminate()
  }

  /**
   * One beat of the route's heartbeat: pings, or terminates a peer that did
   * not answer the previous ping. A socket not being read because its
   * handler is behind is left alone: its pong waits unread.
   */
  heartbeat(): void {
    if (this.#callbacks?.paused || this.closed) return
    if (!this.#alive) {
      this.#context.logger.debug(
        { path: this.handshake.path },
        'Terminated a silent WebSocket peer',
      )
      this.terminate()
      return
    }
    this.#alive = false
    this.#engine.ping()
  }

  /** Hands an event to the handler: at once, or through the queue once a callback went asynchronous. */
  #deliver(event: Pending): void {
    const callbacks = this.#callbacks
    if (callbacks !== undefined) return callbacks.deliver(event)
    let result: unknown
    try {
      result = this.#call(event)
    } catch (error) {
      return this.#fail(error, event[0])
    }
    if (isThenable(result)) this.#queue().wait(result, event[0])
  }

  #queue(): CallbackQueue {
    const engine = this.#engine
    const host: QueueHost = {
      call: (event) => this.#call(event),
      fail: (error, kind) => this.#fail(error, kind),
      pause: () => engine.pause(),
      resume: () => {
        // a socket read again is alive: its pongs waited unread
        this.#alive = true
        engine.resume()
      },
      answerClose: (code, reason) => {
        // as ws would have answered: with the peer's code, none when it had none
        if (engine.readyState !== OPEN) return
        if (code === 1005) engine.close()
        else engine.close(code, reason)
      },
    }
    return (this.#callbacks = new CallbackQueue(host, this.#context.options))
  }

  #call(event: Pending): unknown {
    const handler = this.#context.handler
    switch (event[0]) {
      case Events.open:
        return handler.onOpen?.(this)
      case Events.message:
        return handler.onMessage?.(this, event[1] as string)
      case Events.bytes:
        return handler.onBytes?.(this, event[1] as Buffer)
      case Events.ping:
        if (handler.onPing) return handler.onPing(this, event[1] as Buffer)
        this.pong(event[1] as Buffer)
        return undefined
      case Events.pong:
        return handler.onPong?.(this, event[1] as Buffer)
      case Events.close:
        return handler.onClose?.(this, event[1] as number, event[2] ?? '')
    }
  }

  /** A callback failed: logged once with its stack; the socket closes with 1011 (internal error). */
  #fail(error: unknown, kind: Kind): void {
    this.#context.logger.error(
      { err: error, path: this.handshake.path },
      'WebSocket handler failed',
    )
    if (kind !== Events.close && this.#engine.readyState === OPEN) this.#engine.close(1011, '')
  }
}
