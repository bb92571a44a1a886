// pulsar-ts: rpc-pulsar.ts with the params of add checked by zod schemas (rpcMethod), to weigh validation.
// zod is the library's devDependency, found up the tree from bench/.
import * as z from 'zod'

import { WSGIServer, WsgiHandler } from 'pulsar-ts'
import { JsonRpc, rpcMethod } from 'pulsar-ts/rpc'

import { ready } from './child.js'

const rpc = new JsonRpc({
  path: '/rpc',
  methods: {
    add: rpcMethod({ params: [z.number(), z.number()], handle: (_request, a, b) => a + b }),
  },
})
const app = new WsgiHandler([rpc])
const server = await new WSGIServer(app, { bind: '127.0.0.1:0', log_level: 'warn' }).listen()
ready(server.address)
