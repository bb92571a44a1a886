/**
 * Hello World through the gateway: WSGIServer and a WsgiHandler stack
 * against raw node:http (the ceiling) and Fastify (the peer).
 */
import { type Suite, answers } from '../lib.js'

const HELLO = 'Hello World!\n'

export const hello: Suite = {
  title: 'Hello World: GET / -> 200 text/plain, 13 bytes',
  servers: { raw: 'raw.ts', wsgi: 'wsgi.ts', stack: 'stack.ts', fastify: 'fastify.ts' },
  load: { path: '/', expectBody: HELLO },
  check: answers(
    { 'content-type': 'text/plain', 'content-length': '13', 'transfer-encoding': undefined },
    HELLO,
  ),
  targets: [
    ['wsgi', 'raw', 0.95],
    ['stack', 'fastify', 1.0],
  ],
}
