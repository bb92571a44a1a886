// The ceiling: ws in noServer mode on node:http, as ws's README writes it
// (path check, heartbeat), echoing text as text and bytes as bytes.
import { createServer } from 'node:http'

import { WebSocketServer, type WebSocket } from 'ws'

import { ready } from './child.js'
import { memoryAfterGc } from './websocket-memory.js'

const alive = new WeakSet<WebSocket>()
const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 })
wss.on('connection', (ws) => {
  alive.add(ws)
  ws.on('error', () => undefined)
  ws.on('pong', () => alive.add(ws))
  ws.on('message', (data: Buffer, isBinary) => ws.send(isBinary ? data : data.toString()))
})
setInterval(() => {
  for (const ws of wss.clients) {
    if (!alive.has(ws)) ws.terminate()
    else {
      alive.delete(ws)
      ws.ping()
    }
  }
}, 30_000).unref()

const server = createServer((req, res) => {
  if (req.url !== '/memory') {
    res.writeHead(404).end()
    return
  }
  const body = memoryAfterGc()
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(body)
})
server.on('upgrade', (req, socket, head) => {
  if (req.url !== '/echo') {
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
    socket.destroy()
    return
  }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
})
server.listen({ port: 0, host: '127.0.0.1', backlog: 2048 }, () => ready(server.address()))
