/**
 * WebSocketProtocol: the open socket a WebSocket handler is given (pulsar's
 * name). It delivers the connection's events to the handler in order,
 * applies backpressure to writes, and answers the heartbeat.
 * @module
 */
import type { Socket } from 'node:net'

import { isThenable } from '../wsgi/callable.js'
import type { WsgiRequest } from '../wsgi/request.js'
import type { Logger, ResponseConsumer, ServerHandle } from '../wsgi/types.js'
import type { ResolvedOptions } from './options.js'
import type { EngineEvents, EngineSocket } from './transport.js'

const OPEN = 1
const RESOLVED = Promise.resolve()

/** The most bytes a ping, a pong or a close frame carries (RFC 6455 §5.5). */
export const MAX_CONTROL_PAYLOAD = 125
// how often a writer waiting for the buffer to drain checks it, besides the socket's 'drain'
const DRAIN_POLL_MS = 50

// the events, in the order they reach the handler
const kOpen = 0
const kMessage = 1
const kBytes = 2
const kPing = 3
const kPong = 4
const kClose = 5
type Kind =
  typeof kOpen | typeof kMessage | typeof kBytes | typeof kPing | typeof kPong | typeof kClose
type Pending = [kind: Kind, data: unknown, reason?: string]

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
  #queue: Pending[] | undefined
  #busy = false
  #paused = false
  #alive = true
  #closed = false
  // the peer's close frame, waiting for the events received before it to be handled
  #closing: [code: number, reason: string] | undefined
  #closingTimer: NodeJS.Timeout | undefined
  #drain: Promise<void> | undefined
  #drained: (() => void) | undefined

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
    protocol.#deliver([kOpen, undefined])
    return true
  }

  static readonly #events: EngineEvents<WebSocketProtocol> = {
    message: (socket, data, isBinary) =>
      socket.#deliver(isBinary ? [kBytes, data] : [kMessage, data.toString()]),
    ping: (socket, data) => socket.#deliver([kPing, data]),
    pong: (socket, data) => {
      socket.#alive = true
      socket.#deliver([kPong, data])
    },
    closing: (socket, code, reason) => socket.#peerClosing(code, reason),
    close: (socket, code, reason) => {
      socket.#closed = true
      clearTimeout(socket.#closingTimer)
      socket.#closing = undefined
      socket.#context.hub.delete(socket)
      socket.#drained?.()
      socket.#deliver([kClose, code, reason])
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
    return this.#closed || this.#closing !== undefined || this.#engine.readyState !== OPEN
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
    return (this.#drain ??= this.#waitForDrain())
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
    if (!isValidCloseCode(code))
      throw new TypeError(`${String(code)} is not a close code a server may send`)
    // the code takes 2 of the frame's 125 bytes
    if (Buffer.byteLength(reason) > MAX_CONTROL_PAYLOAD - 2)
      throw new TypeError('A close reason is at most 123 bytes')
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
    if (this.#paused || this.closed) return
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

  #waitForDrain(): Promise<void> {
    return new Promise<void>((resolve) => {
      const socket = this.#socket
      let poll: NodeJS.Timeout | undefined = undefined
      const check = () => {
        if (!this.#closed && this.#engine.bufferedAmount > this.#context.options.highWaterMark)
          return
        socket.off('drain', check)
        clearInterval(poll)
        this.#drain = this.#drained = undefined
        resolve()
      }
      socket.on('drain', check)
      // with permessage-deflate, bytes also wait in the engine, which has no drain event
      poll = setInterval(check, DRAIN_POLL_MS)
      this.#drained = check
    })
  }

  /** Hands an event to the handler now, or queues it behind the callback still running. */
  #deliver(event: Pending): void {
    if (!this.#busy) {
      this.#run(event)
      return
    }
    const queue = (this.#queue ??= [])
    queue.push(event)
    // the handler is behind: stop reading until it catches up (the client then waits in TCP)
    if (!this.#paused && queue.length >= this.#context.options.maxQueuedMessages) {
      this.#paused = true
      this.#engine.pause()
    }
  }

  #run(event: Pending): void {
    let result: unknown
    try {
      result = this.#call(event)
    } catch (error) {
      this.#fail(error, event[0])
      return
    }
    if (!isThenable(result)) return
    this.#busy = true
    const kind = event[0]
    result.then(
      () => this.#next(),
      (error: unknown) => {
        this.#fail(error, kind)
        this.#next()
      },
    )
  }

  #next(): void {
    this.#busy = false
    const queue = this.#queue
    while (queue !== undefined && queue.length > 0 && !this.#busy) this.#run(queue.shift()!)
    if (this.#busy) return
    if (this.#closing !== undefined) this.#answerClose()
    else if (this.#paused) {
      this.#paused = false
      this.#alive = true
      this.#engine.resume()
    }
  }

  /**
   * The peer's close frame: answered at once when no callback is running;
   * else once the events before it are handled (their writes go out first),
   * or after `closeTimeout`, whichever comes first.
   */
  #peerClosing(code: number, reason: string): boolean {
    if (!this.#busy) return false
    this.#closing = [code, reason]
    this.#closingTimer = setTimeout(() => this.#answerClose(), this.#context.options.closeTimeoutMs)
    return true
  }

  /** Answers the peer's close frame with its own code (none when it had none), as ws would have. */
  #answerClose(): void {
    const [code, reason] = this.#closing!
    clearTimeout(this.#closingTimer)
    this.#closing = this.#closingTimer = undefined
    if (this.#engine.readyState !== OPEN) return
    if (code === 1005) this.#engine.close()
    else this.#engine.close(code, reason)
  }

  #call(event: Pending): unknown {
    const handler = this.#context.handler
    switch (event[0]) {
      case kOpen:
        return handler.onOpen?.(this)
      case kMessage:
        return handler.onMessage?.(this, event[1] as string)
      case kBytes:
        return handler.onBytes?.(this, event[1] as Buffer)
      case kPing:
        if (handler.onPing) return handler.onPing(this, event[1] as Buffer)
        this.pong(event[1] as Buffer)
        return undefined
      case kPong:
        return handler.onPong?.(this, event[1] as Buffer)
      case kClose:
        return handler.onClose?.(this, event[1] as number, event[2] ?? '')
    }
  }

  /** A callback failed: logged once with its stack; the socket closes with 1011 (internal error). */
  #fail(error: unknown, kind: Kind): void {
    this.#context.logger.error(
      { err: error, path: this.handshake.path },
      'WebSocket handler failed',
    )
    if (kind !== kClose && this.#engine.readyState === OPEN) this.#engine.close(1011, '')
  }
}

/** Whether a server may send this close code (RFC 6455 §7.4; 1010 is the client's). */
export function isValidCloseCode(code: number): boolean {
  return (
    Number.isInteger(code) &&
    ((code >= 1000 &&
      code <= 1014 &&
      code !== 1004 &&
      code !== 1005 &&
      code !== 1006 &&
      code !== 1010) ||
      (code >= 3000 && code <= 4999))
  )
}

/** Throws the application's error of a control frame's data over 125 bytes (ws's RangeError only says so while open). */
function checkControlPayload(what: string, data: string | Uint8Array | undefined): void {
  if (data !== undefined && Buffer.byteLength(data) > MAX_CONTROL_PAYLOAD)
    throw new TypeError(`${what} carries at most ${MAX_CONTROL_PAYLOAD} bytes`)
}
