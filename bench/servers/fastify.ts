// The peer: Fastify 5, one route, the same bytes and headers.
import Fastify from 'fastify'

import { HELLO, ready } from './child.js'

const app = Fastify({ logger: false })
app.get('/', (_request, reply) => {
  void reply.header('Content-Type', 'text/plain').send(HELLO)
})
await app.listen({ host: '127.0.0.1', port: 0 })
ready(app.server.address())
