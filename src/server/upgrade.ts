/**
 * A request node:http hands to its `upgrade` event runs through the
 * application like any other. A protocol handler takes the socket over
 * (`connection.takeOver()`); otherwise the application's answer is written
 * and the socket closed.
 * @module
 */
import { type IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

import type { Config } from '../wsgi/config.js'
import type { SocketConnection } from './connection.js'
import type { BodySource } from './environ.js'
import { UpgradeBody, bodyLength } from './upgrade-body.js'

/** Serves an upgrade request on its socket's `connection` through `serve`, the gateway's path for a request. */
export function serveUpgrade(
  req: IncomingMessage,
  socket: Socket,
  head: Buffer,
  connection: SocketConnection,
  cfg: Readonly<Config>,
  serve: (req: IncomingMessage, res: ServerResponse, body?: BodySource) => Promise<void>,
): void {
  connection.upgrade = { request: req, socket, head }
  // node:http no longer watches this socket: errors and stalls are ours now
  socket.on('error', destroySocket)
  const timer = setTimeout(cutUpgrade, cfg.request_timeout * 1000, connection)
  const res = new ServerResponse(req)
  res.shouldKeepAlive = false
  res.assignSocket(socket)
  res.once('finish', endSocket)
  // node:http left the body undecoded: it is read from `head` and the socket, if asked for
  const length = bodyLength(req)
  const body =
    length === 0
      ? undefined
      : { stream: new UpgradeBody(socket, head, length, cfg.max_header_size) }
  void serve(req, res, body).finally(() => {
    clearTimeout(timer)
    connection.upgrade = undefined
    if (!connection.detached && !res.writableFinished) socket.destroy()
    // a socket taken over must not keep the request and its response alive
    else if (connection.detached) res.detachSocket(socket)
  })
}

// listeners shared by every upgraded socket, so none keeps the request's scope alive
function destroySocket(this: Socket): void {
  this.destroy()
}

function endSocket(this: ServerResponse): void {
  this.socket?.destroySoon()
}

function cutUpgrade(connection: SocketConnection): void {
  if (!connection.detached) connection.socket.destroy()
}
