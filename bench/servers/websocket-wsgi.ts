/**
 * pulsar-ts: the WebSocket route of examples/websocket.ts (/echo) in a
 * WsgiHandler, and `/idle`, which answers any message with the
 * `X-Bench-Id` header of its handshake, read from `ws.handshake`.
 */
import { WSGIServer, WsgiHandler } from 'pulsar-ts'
import { WS, WebSocket, type WebSocketProtocol } from 'pulsar-ts/websocket'

import { Echo } from '../../examples/websocket.js'
import { ready } from './child.js'

class Idle extends WS {
  override onMessage(ws: WebSocketProtocol): Promise<void> {
    return ws.write(String(ws.handshake.environ.HTTP_X_BENCH_ID))
  }
}

const app = new WsgiHandler([
  new WebSocket('/echo', new Echo()),
  new WebSocket('/idle', new Idle()),
])
const server = await new WSGIServer(app, {
  bind: '127.0.0.1:0',
  log_level: 'warn',
}).listen()
ready(server.address)
