// The gateway alone: examples/hello.ts, a plain synchronous WSGI app (over h2c with the argument h2c).
import { WSGIServer } from 'pulsar-ts'

import { hello } from '../../examples/hello.js'
import { HTTP2, ready } from './child.js'

const server = await new WSGIServer(hello, {
  bind: '127.0.0.1:0',
  log_level: 'warn',
  http2: HTTP2,
}).listen()
ready(server.address)
