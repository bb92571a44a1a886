/**
 * The Connection serving requests: one per socket, shared by the requests
 * that socket carries (keep-alive, pipelining).
 * @module
 */
import type { Socket } from 'node:net'

import type { Connection, ServerHandle, Upgrade } from '../wsgi/types.js'

let lastId = 0

/** A client connection: its addresses, its socket and, for an upgrade request, what the upgrade needs. */
export class SocketConnection implements Connection {
  /** A number unique to this connection within the process. */
  readonly id = ++lastId
  readonly socket: Socket
  /** The server the connection came in through (absent for made-up requests). */
  readonly server: ServerHandle | undefined
  /** The pending upgrade, present only while an upgrade request is being answered. */
  upgrade: Upgrade | undefined
  /** Set once a protocol handler took the socket over. */
  detached = false
  /** Requests received on this connection so far. */
  requests = 0
  /** Requests on this connection still being answered. */
  active = 0
  /** Whether the connection is TLS. */
  readonly encrypted: boolean
  /** The client's address and port (empty for a unix socket). */
  readonly remote: readonly [address: string, port: string]
  /** The server's address and port on this connection (for a unix socket, the path and ''). */
  readonly local: readonly [address: string, port: string]
  #quietSince = 0
  #bytesAtQuiet = 0

  /**
   * `local`: the server's address and port when every connection has the
   * same (a bound, not wildcard, address): no getsockname per connection.
   * `encrypted`: whether it is TLS, when the socket cannot tell. The
   * addresses are plain fields, read by every request's environ.
   */
  constructor(
    socket: Socket,
    server?: ServerHandle,
    local?: readonly [string, string],
    encrypted = (socket as { encrypted?: unknown }).encrypted === true,
  ) {
    this.socket = socket
    this.server = server
    this.encrypted = encrypted
    this.remote = [socket.remoteAddress ?? '', String(socket.remotePort ?? '')]
    this.local = local ?? localOf(socket)
  }

  /** Starts counting how long the connection stays quiet (used while the server drains). */
  quiet(now: number): void {
    this.#quietSince = now
    this.#bytesAtQuiet = this.socket.bytesRead
  }

  /**
   * Milliseconds the connection has been idle since `quiet()`: no request
   * being answered and no byte received; 0 when it is busy.
   */
  idleFor(now: number): number {
    if (this.active > 0 || this.detached || this.socket.bytesRead !== this.#bytesAtQuiet) return 0
    return now - this.#quietSince
  }

  /**
   * Tells the client no new request will be taken: nothing to send over
   * HTTP/1.1, where the last response says `Connection: close`; HTTP/2
   * sends GOAWAY (http2-session.ts).
   */
  goAway(): void {}

  /** Closes the connection at once. */
  close(): void {
    this.socket.destroy()
  }

  /**
   * Takes the socket over for a protocol upgrade: the server writes no HTTP
   * response for this request and the caller owns the socket from now on.
   */
  takeOver(): Upgrade {
    const upgrade = this.upgrade
    if (!upgrade || this.detached) throw new Error('No upgrade to take over on this connection')
    this.detached = true
    this.upgrade = undefined
    return upgrade
  }
}

function localOf(socket: Socket): readonly [string, string] {
  const address = socket.localAddress
  if (address !== undefined) return [address, String(socket.localPort ?? '')]
  // a unix socket has no address of its own: the server's path stands for it
  const path = (socket as { server?: { address(): unknown } }).server?.address()
  return typeof path === 'string' ? [path, ''] : ['', '']
}
