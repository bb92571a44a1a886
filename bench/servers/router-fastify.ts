// The peer: Fastify 5, the same route, logger off.
import Fastify from 'fastify'

import { ready } from './child.js'

const app = Fastify({ logger: false })
app.get<{ Params: { id: string } }>('/users/:id', (request) => {
  const id = Number(request.params.id)
  return { id, name: `user ${id}` }
})
await app.listen({ host: '127.0.0.1', port: 0 })
ready(app.server.address())
