/**
 * Draining a server: stop accepting, let in-flight requests finish, close
 * connections once they are idle, and cut what is left at the deadline.
 * @module
 */
import { Server as HttpServer } from 'node:http'
import { Server as NetServer, type Socket } from 'node:net'

import type { Logger } from '../wsgi/types.js'
import type { SocketConnection } from './connection.js'

/**
 * How long a kept-alive connection must stay quiet before a draining server
 * closes it. Closing one the instant it is idle races a client that is
 * sending its next request on it; a busy client gets `Connection: close` on
 * its next response instead.
 */
export const QUIET_MS = 200
const SWEEP_MS = 50

/** What a drain works on. */
export interface DrainTarget {
  server: HttpServer
  /** Connections of the server, by socket, kept up to date by the server. */
  connections: ReadonlySet<SocketConnection>
  /** Every accepted socket, cut at the deadline. */
  sockets: ReadonlySet<Socket>
  /** Seconds before whatever is left is cut. */
  deadline: number
  logger: Logger
}

/** Drains a server (see docs/server.md, "Graceful shutdown"); resolves once every connection closed. */
export function drain({
  server,
  connections,
  sockets,
  deadline,
  logger,
}: DrainTarget): Promise<void> {
  return new Promise((resolve) => {
    const start = Date.now()
    for (const connection of connections) {
      connection.quiet(start)
      connection.goAway()
    }
    const quiet = () => {
      const now = Date.now()
      return [...connections].filter((connection) => connection.idleFor(now) >= QUIET_MS)
    }
    const sweep = setInterval(() => {
      if (quiet().length === 0) return
      // timers run before I/O is read: after a stall, a request may be waiting
      // in a socket's buffer. setImmediate runs once that I/O was read.
      setImmediate(() => {
        for (const connection of quiet()) connection.close()
      })
    }, SWEEP_MS)
    const cut = setTimeout(() => {
      logger.warn(`Cutting ${sockets.size} connection(s) left after the graceful timeout`)
      for (const socket of sockets) socket.destroy()
    }, deadline * 1000)
    // net's close, not http's: http's also closes every idle connection at
    // once (the race above) and stops the header and request timeouts
    NetServer.prototype.close.call(server, () => {
      clearInterval(sweep)
      clearTimeout(cut)
      // now http's, for its timeout timer; the "not running" error is expected
      HttpServer.prototype.close.call(server, () => undefined)
      resolve()
    })
  })
}
