/**
 * The open sockets of a WebSocket route: one heartbeat timer for all of
 * them, and the 1001 they get when their server shuts down.
 * @module
 */
import type { ServerHandle } from '../wsgi/types.js'
import type { SocketSet, WebSocketProtocol } from './protocol.js'

/** The open sockets of one route, with their heartbeat. */
export class SocketHub implements SocketSet {
  readonly #sockets = new Set<WebSocketProtocol>()
  readonly #intervalMs: number
  #timer: NodeJS.Timeout | undefined

  /** `intervalMs`: between two heartbeats; 0 for none. */
  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs
  }

  /** The open sockets. */
  get sockets(): ReadonlySet<WebSocketProtocol> {
    return this.#sockets
  }

  /** Adds an opened socket; the heartbeat starts with the first one. */
  add(socket: WebSocketProtocol): void {
    this.#sockets.add(socket)
    if (this.#timer === undefined && this.#intervalMs > 0) {
      this.#timer = setInterval(() => {
        for (const open of this.#sockets) open.heartbeat()
      }, this.#intervalMs)
      // a heartbeat alone never keeps the process alive
      this.#timer.unref()
    }
  }

  /** Removes a closed socket; the heartbeat stops with the last one. */
  delete(socket: WebSocketProtocol): void {
    this.#sockets.delete(socket)
    if (this.#sockets.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer)
      this.#timer = undefined
    }
  }

  /** Closes the sockets that came through `server` (all of them when `undefined`). */
  closeAll(server: ServerHandle | undefined, code: number, reason: string): void {
    for (const socket of [...this.#sockets])
      if (server === undefined || socket.server === server) socket.close(code, reason)
  }
}
