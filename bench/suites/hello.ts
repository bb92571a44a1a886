/**
 * Hello World through the gateway: WSGIServer and a WsgiHandler stack
 * against raw node:http (the ceiling) and Fastify (the peer).
 */
import type { Suite } from '../lib.js'

const HELLO = 'Hello World!\n'

export const hello: Suite = {
  title: 'Hello World: GET / -> 200 text/plain, 13 bytes',
  servers: { raw: 'raw.ts', wsgi: 'wsgi.ts', stack: 'stack.ts', fastify: 'fastify.ts' },
  load: { path: '/', expectBody: HELLO },
  check(name, { status, headers, body }) {
    const show = (value: unknown) => JSON.stringify(value) ?? 'none'
    const problems = [
      status === 200 ? '' : `status ${status}`,
      headers['content-type'] === 'text/plain'
        ? ''
        : `Content-Type ${show(headers['content-type'])}`,
      headers['content-length'] === '13' ? '' : `Content-Length ${show(headers['content-length'])}`,
      headers['transfer-encoding'] === undefined
        ? ''
        : `Transfer-Encoding ${show(headers['transfer-encoding'])}`,
      body.toString() === HELLO ? '' : `body ${show(body.toString())}`,
    ].filter(Boolean)
    if (problems.length)
      throw new Error(`${name} does not answer like the others: ${problems.join(', ')}`)
  },
  targets: [
    ['wsgi', 'raw', 0.95],
    ['stack', 'fastify', 1.0],
  ],
}
