// pulsar-ts: a JsonRpc handler served on the WebSocket route /rpc, in a WsgiHandler, on WSGIServer.
import { WSGIServer, WsgiHandler, type WsgiRequest } from 'pulsar-ts'
import { JsonRpc } from 'pulsar-ts/rpc'
import { WebSocket } from 'pulsar-ts/websocket'

import { ready } from './child.js'

const rpc = new JsonRpc({
  methods: { add: (_request: WsgiRequest, a: number, b: number) => a + b },
})
const app = new WsgiHandler([new WebSocket('/rpc', rpc)])
const server = await new WSGIServer(app, { bind: '127.0.0.1:0', log_level: 'warn' }).listen()
ready(server.address)
