// The HTTP/2 peer: Fastify 5 with `http2: true` (h2c), one route, logger off.
import Fastify from 'fastify'

import { HELLO, ready } from './child.js'

const app = Fastify({ logger: false, http2: true })
app.get('/', (_request, reply) => {
  void reply.header('Content-Type', 'text/plain').send(HELLO)
})
await app.listen({ host: '127.0.0.1', port: 0 })
ready(app.server.address())
