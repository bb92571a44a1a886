// The HTTP/2 ceiling: node:http2 over cleartext (h2c), answering on the stream with nothing in between.
import { createServer } from 'node:http2'

import { HELLO, ready } from './child.js'

const server = createServer()
server.on('stream', (stream) => {
  stream.respond({ ':status': 200, 'content-type': 'text/plain', 'content-length': HELLO.length })
  stream.end(HELLO)
})
server.listen(0, '127.0.0.1', () => ready(server.address()))
