/**
 * The gateway with the layers a real application has: a WsgiHandler, a
 * middleware that passes, one that answers with a WsgiResponse, and a
 * response middleware. Compared with Fastify, which does the same work.
 */
import { type Environ, WSGIServer, WsgiHandler, WsgiResponse } from 'pulsar-ts'

import { HELLO, ready } from './child.js'

const passThrough = () => undefined

// bytes, not a string: WsgiResponse would add `; charset=utf-8` to text
const helloResponse = (environ: Environ) =>
  environ.PATH_INFO === '/'
    ? new WsgiResponse(200, HELLO, [['Content-Type', 'text/plain']])
    : undefined

const benchHeader = (_environ: Environ, response: WsgiResponse) => {
  response.headers.set('X-Bench', '1')
  return undefined
}

const app = new WsgiHandler([passThrough, helloResponse], [benchHeader])
const server = await new WSGIServer(app, { bind: '127.0.0.1:0', log_level: 'warn' }).listen()
ready(server.address)
