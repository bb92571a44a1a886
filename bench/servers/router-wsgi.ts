// pulsar-ts: a WsgiHandler with a Router whose rule converts the id to a number.
import { WSGIServer, WsgiHandler } from 'pulsar-ts'
import { Router } from 'pulsar-ts/router'

import { ready } from './child.js'

const users = new Router('/users/<int:id>', {
  get: (request) => {
    const id = request.urlargs.id
    return request.jsonResponse({ id, name: `user ${id}` })
  },
})
const server = await new WSGIServer(new WsgiHandler([users]), {
  bind: '127.0.0.1:0',
  log_level: 'warn',
}).listen()
ready(server.address)
