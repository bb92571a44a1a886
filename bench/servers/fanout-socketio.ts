// socket.io 4 (websocket transport only): `POST /publish` broadcasts its body with `io.emit`.
import { createServer } from 'node:http'

import { Server } from 'socket.io'

import { ready } from './child.js'

const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    io.emit('message', Buffer.concat(chunks).toString())
    res.writeHead(204).end()
  })
})
const io = new Server(server, { transports: ['websocket'], serveClient: false })
server.listen(0, '127.0.0.1', () => ready(server.address()))
