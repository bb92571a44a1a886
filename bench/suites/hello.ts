/**
 * Hello World through the gateway: WSGIServer and a WsgiHandler stack
 * against raw node:http (the ceiling) and Fastify (the peer), with the
 * contract's floor (a WSGI gateway that checks nothing) for reference.
 */
import { answers, httpSuite } from '../http-load.js'

const HELLO = 'Hello World!\n'

/** The request every hello server gets, and the answer each must give. */
export const helloLoad = { path: '/', expectBody: HELLO }
export const helloAnswer = answers(
  { 'content-type': 'text/plain', 'content-length': '13', 'transfer-encoding': undefined },
  HELLO,
)

export const hello = httpSuite({
  title: 'Hello World: GET / -> 200 text/plain, 13 bytes',
  servers: {
    raw: 'raw.ts',
    wsgi: 'wsgi.ts',
    floor: 'floor.ts',
    stack: 'stack.ts',
    fastify: 'fastify.ts',
  },
  load: helloLoad,
  check: helloAnswer,
  targets: [
    { of: ['wsgi', 'raw'], by: 'rate', atLeast: 0.95 },
    { of: ['stack', 'raw'], by: 'rate', atLeast: 0.93 },
    // "ahead of Fastify"
    { of: ['stack', 'fastify'], by: 'rate', atLeast: 1.0 },
  ],
})
