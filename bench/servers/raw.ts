// The ceiling: node:http with nothing in between.
import { createServer } from 'node:http'

import { HELLO, ready } from './child.js'

const server = createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': HELLO.length })
  res.end(HELLO)
})
server.listen(0, '127.0.0.1', () => ready(server.address()))
