// The peer: Fastify 5 with @fastify/compress, its defaults but for zlib level 6 said out loud.

import compress from '@fastify/compress'
import Fastify from 'fastify'

import { ready } from './child.js'
import { JSON_PAYLOAD, JSON_TYPE, TEXT_PAYLOAD, TEXT_TYPE } from './compress-payloads.js'

const app = Fastify({ logger: false })
await app.register(compress, { zlibOptions: { level: 6 } })
app.get('/json', (_request, reply) => reply.type(JSON_TYPE).send(JSON_PAYLOAD))
app.get('/text', (_request, reply) => reply.type(TEXT_TYPE).send(TEXT_PAYLOAD))
await app.listen({ host: '127.0.0.1', port: 0 })
ready(app.server.address())
