// The HTTP/2 peer for JSON-RPC: Fastify 5 with `http2: true` (h2c), logger off, a POST /rpc
// route handing its parsed JSON body to json-rpc-2.0's JSONRPCServer, as the raw server does.
import Fastify from 'fastify'
import { JSONRPCServer } from 'json-rpc-2.0'

import { ready } from './child.js'

const rpc = new JSONRPCServer()
rpc.addMethod('add', ([a, b]: [number, number]) => a + b)

const app = Fastify({ logger: false, http2: true })
// Fastify answers 415 to a body that is not JSON, and 404 to any other method
app.post('/rpc', async (request, reply) => {
  const answer = await rpc.receive(request.body as Parameters<JSONRPCServer['receive']>[0])
  if (answer === null) return reply.code(204).send()
  return answer
})
await app.listen({ host: '127.0.0.1', port: 0 })
ready(app.server.address())
