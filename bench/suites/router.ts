/**
 * A routed JSON endpoint, GET /users/<int:id>: WsgiHandler + Router against
 * find-my-way on raw node:http (the ceiling), Fastify and Hono.
 */
import { answers, httpSuite } from '../http-load.js'

const BODY = '{"id":42,"name":"user 42"}'

export const router = httpSuite({
  title: 'Routed JSON: GET /users/<int:id> -> 200 application/json, 26 bytes',
  servers: {
    'find-my-way': 'router-fmw.ts',
    router: 'router-wsgi.ts',
    fastify: 'router-fastify.ts',
    hono: 'router-hono.ts',
  },
  load: { path: '/users/42', expectBody: BODY },
  check: answers(
    { 'content-type': 'application/json; charset=utf-8', 'content-length': '26' },
    BODY,
  ),
  targets: [
    { of: ['router', 'find-my-way'], by: 'rate', atLeast: 0.95 },
    { of: ['router', 'fastify'], by: 'rate', atLeast: 1.0 },
  ],
})
