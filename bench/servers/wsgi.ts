// The gateway alone: examples/hello.ts, a plain synchronous WSGI app.
import { WSGIServer } from 'pulsar-ts'

import { hello } from '../../examples/hello.js'
import { ready } from './child.js'

const server = await new WSGIServer(hello, { bind: '127.0.0.1:0', log_level: 'warn' }).listen()
ready(server.address)
