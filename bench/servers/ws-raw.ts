/**
 * The raw ws servers' common part, as ws's README writes a server: ws in
 * noServer mode on node:http, the upgrade routed by path, and the `isAlive`
 * heartbeat (pulsar-ts's routes have one too).
 */
import { type IncomingMessage, createServer } from 'node:http'

import { WebSocketServer, type WebSocket } from 'ws'

import { ready } from './child.js'

/** What a route does with each new socket. */
export type OnConnection = (ws: WebSocket, request: IncomingMessage) => void

const alive = new WeakSet<WebSocket>()

// a function of its own, so that its closures hold the socket and nothing of
// the upgrade's scope (the request, its head), which ws does not keep either
function watch(ws: WebSocket): void {
  alive.add(ws)
  ws.on('error', () => undefined)
  ws.on('pong', () => alive.add(ws))
}

/** Listens on 127.0.0.1 with these routes, and reports the port. */
export function serveWebSockets(routes: Record<string, OnConnection>): void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 })
  setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) ws.terminate()
      else {
        alive.delete(ws)
        ws.ping()
      }
    }
  }, 30_000).unref()

  const server = createServer((_req, res) => {
    res.writeHead(404).end()
  })
  server.on('upgrade', (req, socket, head) => {
    const route = routes[req.url ?? '']
    if (!route) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      watch(ws)
      route(ws, req)
    })
  })
  server.listen({ port: 0, host: '127.0.0.1', backlog: 2048 }, () => ready(server.address()))
}
