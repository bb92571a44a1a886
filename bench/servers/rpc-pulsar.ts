// pulsar-ts: a JsonRpc handler as middleware on /rpc, in a WsgiHandler, on WSGIServer (over h2c with the argument h2c).
import { WSGIServer, WsgiHandler, type WsgiRequest } from 'pulsar-ts'
import { JsonRpc } from 'pulsar-ts/rpc'

import { HTTP2, ready } from './child.js'

const rpc = new JsonRpc({
  path: '/rpc',
  methods: { add: (_request: WsgiRequest, a: number, b: number) => a + b },
})
const app = new WsgiHandler([rpc])
const server = await new WSGIServer(app, {
  bind: '127.0.0.1:0',
  log_level: 'warn',
  http2: HTTP2,
}).listen()
ready(server.address)
