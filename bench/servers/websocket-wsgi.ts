// pulsar-ts: the WebSocket route of examples/websocket.ts (/echo) in a WsgiHandler.
import { type Environ, type StartResponse, WSGIServer, WsgiHandler } from 'pulsar-ts'
import { WebSocket } from 'pulsar-ts/websocket'

import { Echo } from '../../examples/websocket.js'
import { ready } from './child.js'
import { memoryAfterGc } from './websocket-memory.js'

function memory(environ: Environ, startResponse: StartResponse) {
  if (environ.PATH_INFO !== '/memory') return undefined
  startResponse('200 OK', [['Content-Type', 'application/json']])
  return [memoryAfterGc()]
}

const app = new WsgiHandler([memory, new WebSocket('/echo', new Echo())])
const server = await new WSGIServer(app, {
  bind: '127.0.0.1:0',
  log_level: 'warn',
}).listen()
ready(server.address)
