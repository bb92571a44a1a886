/**
 * HTTP/2 over cleartext (h2c, prior knowledge): hello world loaded by
 * h2load (Debian's nghttp2-client) with 100 streams in flight on 10
 * connections, raw node:http2 (the ceiling) against Fastify with
 * `http2: true`. A skeleton for issue 16: pulsar-ts speaks no HTTP/2 yet,
 * so it has no row; its server joins SERVERS (and a target against raw)
 * when it does.
 */
import { checkHello, h2load } from '../h2-load.js'
import type { Suite } from '../lib.js'

const HELLO = 'Hello World!\n'

export const http2: Suite = {
  title: 'HTTP/2 (h2c) Hello World: GET / -> 200 text/plain, 13 bytes',
  unit: 'req',
  loader: 'h2load, 10 streams per connection, every status and the body bytes checked',
  servers: { raw: 'h2-raw.ts', fastify: 'h2-fastify.ts' },
  connections: 10,
  check: (server) => checkHello(server, HELLO),
  load: (server, seconds, connections) => h2load(server, seconds, connections, 10, HELLO.length),
  targets: [],
}
