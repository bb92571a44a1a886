// raw ws on node:http: `POST /publish` sends its body to every open socket, the ceiling of one process.
import { createServer } from 'node:http'

import { WebSocketServer } from 'ws'

import { ready } from './child.js'

const sockets = new WebSocketServer({ noServer: true })
const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString()
    for (const socket of sockets.clients) socket.send(text)
    res.writeHead(204).end()
  })
})
server.on('upgrade', (req, socket, head) => {
  if (req.url === '/feed') sockets.handleUpgrade(req, socket, head, () => undefined)
  else socket.destroy()
})
server.listen(0, '127.0.0.1', () => ready(server.address()))
