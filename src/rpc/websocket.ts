/**
 * JSON-RPC over a WebSocket, the server side: a `JsonRpc` handler serving
 * the text messages of a WebSocket route, each a call, a notification or a
 * batch, answered on the same socket.
 * @module
 */
import type { WebSocketHandler } from '../websocket/handler.js'
import type { WebSocketProtocol } from '../websocket/protocol.js'
import { isThenable } from '../wsgi/callable.js'
import { logError } from '../wsgi/error-page.js'
import type { WsgiRequest } from '../wsgi/request.js'

/** What answers the messages: a `JsonRpc`, or anything with its `receive`. */
export interface RpcReceiver {
  /** The reply's text to one message, or `undefined` when there is none: at once, or as a promise. */
  receive(text: string, request: WsgiRequest): string | undefined | Promise<string | undefined>
}

/** Options of `RpcWebSocket`. */
export interface RpcWebSocketOptions {
  /**
   * Messages of one socket answered at the same time; past it, the socket
   * waits (and is no longer read) until one is answered. @default 32
   */
  concurrency?: number
}

/**
 * The WebSocket handler of a `JsonRpc`: `new WebSocket('/rpc', new RpcWebSocket(rpc))`
 * (or simply `new WebSocket('/rpc', rpc)`). Calls of one socket run
 * concurrently, up to `concurrency`, and each reply goes back as soon as it
 * is ready (clients match replies by id); notifications get none. Methods
 * get the handshake's request. A binary message closes the socket with
 * 1003: JSON-RPC travels as text.
 */
export class RpcWebSocket implements WebSocketHandler {
  /** The JSON-RPC handler the messages go to. */
  readonly rpc: RpcReceiver
  readonly #concurrency: number
  readonly #running = new WeakMap<WebSocketProtocol, number>()

  constructor(rpc: RpcReceiver, options: RpcWebSocketOptions = {}) {
    const concurrency = options.concurrency ?? 32
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new TypeError(`concurrency must be an integer of at least 1, not ${concurrency}`)
    this.rpc = rpc
    this.#concurrency = concurrency
  }

  /**
   * Answers one message: at once when the receiver does and the reply went
   * out whole; else the answer is counted as running, and its promise
   * returned once the socket has `concurrency` of them.
   */
  onMessage(ws: WebSocketProtocol, text: string): Promise<void> | undefined {
    let reply: string | undefined | Promise<string | undefined>
    try {
      reply = this.rpc.receive(text, ws.handshake)
    } catch (error) {
      this.#fail(ws, error)
      return undefined
    }
    if (isThenable(reply)) return this.#track(ws, this.#send(ws, reply))
    if (reply === undefined) return undefined
    const written = ws.write(reply)
    // nothing left in the send buffer: the write resolved at once
    if (ws.bufferedAmount === 0) return undefined
    // a write's promise never rejects: it resolves once the client read enough
    return this.#track(ws, written)
  }

  /** JSON-RPC is text: a binary message is unsupported data. */
  onBytes(ws: WebSocketProtocol): void {
    ws.close(1003, 'JSON-RPC messages are text')
  }

  #track(ws: WebSocketProtocol, answer: Promise<void>): Promise<void> | undefined {
    const running = (this.#running.get(ws) ?? 0) + 1
    this.#running.set(ws, running)
    const done = answer.then(() => void this.#running.set(ws, this.#running.get(ws)! - 1))
    return running >= this.#concurrency ? done : undefined
  }

  /** Sends a reply still to come once it is ready; never rejects. */
  async #send(ws: WebSocketProtocol, reply: Promise<string | undefined>): Promise<void> {
    try {
      const text = await reply
      if (text !== undefined) await ws.write(text)
    } catch (error) {
      this.#fail(ws, error)
    }
  }

  /** receive() turns a method's failure into an error reply: an error here is the dispatcher's own. */
  #fail(ws: WebSocketProtocol, error: unknown): void {
    const { environ } = ws.handshake
    logError(environ['pulsar.cache'].logger, error, environ)
    if (!ws.closed) ws.close(1011)
  }
}
