// pulsar-ts: a WsgiHandler answering with a WsgiResponse, compression() as response middleware.
import { type Environ, WSGIServer, WsgiHandler, WsgiResponse, compression } from 'pulsar-ts'

import { ready } from './child.js'
import { payload } from './compress-payloads.js'

const answer = (environ: Environ) => {
  const found = payload(environ.PATH_INFO)
  return found && new WsgiResponse(200, found[0], undefined, found[1])
}

const app = new WsgiHandler([answer], [compression({ level: 6 })])
const server = await new WSGIServer(app, { bind: '127.0.0.1:0', log_level: 'warn' }).listen()
ready(server.address)
