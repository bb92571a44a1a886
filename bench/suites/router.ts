/**
 * A routed JSON endpoint, GET /users/<int:id>: WsgiHandler + Router against
 * find-my-way on raw node:http (the ceiling), Fastify and Hono.
 */
import type { Suite } from '../lib.js'

const BODY = '{"id":42,"name":"user 42"}'

export const router: Suite = {
  title: 'Routed JSON: GET /users/<int:id> -> 200 application/json, 26 bytes',
  servers: {
    'find-my-way': 'router-fmw.ts',
    router: 'router-wsgi.ts',
    fastify: 'router-fastify.ts',
    hono: 'router-hono.ts',
  },
  load: { path: '/users/42', expectBody: BODY },
  check(name, { status, headers, body }) {
    const show = (value: unknown) => JSON.stringify(value) ?? 'none'
    const problems = [
      status === 200 ? '' : `status ${status}`,
      headers['content-type'] === 'application/json; charset=utf-8'
        ? ''
        : `Content-Type ${show(headers['content-type'])}`,
      headers['content-length'] === '26' ? '' : `Content-Length ${show(headers['content-length'])}`,
      body.toString() === BODY ? '' : `body ${show(body.toString())}`,
    ].filter(Boolean)
    if (problems.length)
      throw new Error(`${name} does not answer like the others: ${problems.join(', ')}`)
  },
  targets: [['router', 'fastify', 1.0]],
}
