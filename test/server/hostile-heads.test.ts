/**
 * Whatever a client writes in the headers the stack reads (Host, Cookie,
 * Accept*, Content-Type, Range, conditionals, Origin, Authorization...),
 * through every layer that parses them, the answer is never a 5xx and
 * nothing is logged as an error. The values come from a seeded generator,
 * so a failure replays.
 */
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

import {
  AccessControl,
  MediaRouter,
  Router,
  WsgiHandler,
  authorizationMiddleware,
  compression,
  secureHeaders,
} from 'pulsar-ts'

import { serve } from '../helpers/listen.js'
import { RawClient, hasWholeResponse, parseResponse } from '../helpers/raw.js'

const MEDIA = fileURLToPath(new URL('../../examples/media', import.meta.url))

const api = new Router('/api', {
  get: (request) =>
    request.jsonResponse({
      cookies: request.cookies,
      query: Object.fromEntries(request.query),
      url: request.absoluteUri(),
      json: request.accepts('application/json') ?? null,
      auth: request.environ['http.authorization'] ?? null,
    }),
  post: async (request) => {
    const type = request.contentType
    if (type === 'multipart/form-data') return (await request.multipart()).fields.toString()
    if (type === 'application/x-www-form-urlencoded') return (await request.form()).toString()
    return request.jsonResponse(await request.json())
  },
})

const app = new WsgiHandler(
  [authorizationMiddleware, api, new MediaRouter('/media', MEDIA)],
  [
    new AccessControl({ origin: /^https?:\/\/[a-z.]+$/, credentials: true }),
    secureHeaders(),
    compression(),
  ],
)

// nasty pieces: separators, quotes, escapes, obs-text, huge numbers, empty parts
const PIECES = [
  '',
  ' ',
  ',',
  ';',
  '=',
  '"',
  "'",
  '\\',
  '%',
  '%zz',
  '%00',
  '%ff',
  '\t',
  '*',
  '/',
  '*/*',
  '=?',
  'q=',
  'q=abc',
  'q=1e999',
  'q=-1',
  'charset=',
  'charset="',
  'charset=bogus',
  'boundary=',
  'bytes=',
  'bytes=-',
  'bytes=5-1',
  'bytes=99999999999999999999-',
  '0x10',
  '-0',
  'NaN',
  '\u00e9',
  '\u00ff',
  'W/"',
  '""',
  '"a"',
  'Basic',
  'Basic !!!',
  'Bearer',
  'Digest x',
  'gzip;q=0',
  'br;q=2',
  'identity;q=0',
  '*;q=0',
  'a=b',
  'a=b;',
  '=b',
  'a=',
  'a="b',
  'x'.repeat(300),
  'Sun, 06 Nov 1994 08:49:37 GMT',
  '99999',
  'http://',
  'http://a.b',
  'null',
  '[::1]',
  'a:b',
]
const HEADERS = [
  'Cookie',
  'Accept',
  'Accept-Encoding',
  'Accept-Language',
  'Content-Type',
  'Range',
  'If-Range',
  'If-None-Match',
  'If-Modified-Since',
  'Origin',
  'Authorization',
  'Access-Control-Request-Method',
  'Access-Control-Request-Headers',
  'X-Forwarded-For',
  'X-Forwarded-Proto',
  'X-Requested-With',
]
const TARGETS = ['/api?a=1&b', '/api?%zz=%', '/media/hello.txt', '/media/', '/media/js', '/api']
const METHODS = ['GET', 'HEAD', 'POST', 'OPTIONS', 'PUT', 'DELETE']
const BODIES = ['{"a":1}', 'a=1&b=%zz', '--x\r\n\r\n', '{', '\u00e9', '']

/** A small seeded generator (mulberry32), so every run sends the same requests. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function requestFor(next: () => number): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!
  const method = pick(METHODS)
  const lines = [`${method} ${pick(TARGETS)} HTTP/1.1`, 'Host: test.example']
  for (const header of HEADERS)
    if (next() < 0.4) lines.push(`${header}: ${pick(PIECES)}${next() < 0.5 ? pick(PIECES) : ''}`)
  const body = method === 'POST' || method === 'PUT' ? pick(BODIES) : ''
  lines.push(`Content-Length: ${Buffer.byteLength(body, 'latin1')}`)
  return `${lines.join('\r\n')}\r\n\r\n${body}`
}

/** Whether a whole answer arrived: its head alone for HEAD, 204 and 304, else its body too. */
function answered(request: string, received: string): boolean {
  if (!received.includes('\r\n\r\n')) return false
  if (request.startsWith('HEAD ') || / (204|304) /.test(received.slice(0, 13))) return true
  return hasWholeResponse(received)
}

describe('hostile request headers through the whole stack', () => {
  it('never get a 5xx, and nothing is logged as an error', async () => {
    const { port, log } = await serve(app)
    const next = random(20261130)
    for (let i = 0; i < 400; i++) {
      const request = requestFor(next)
      const client = await RawClient.connect(port)
      try {
        client.send(Buffer.from(request, 'latin1'))
        const received = await client.until((data) => answered(request, data))
        const { status } = parseResponse(received)
        expect(status, request).toBeGreaterThanOrEqual(100)
        expect(status, request).toBeLessThan(500)
      } finally {
        client.close()
      }
    }
    expect(log.errors()).toEqual([])
  }, 120_000)
})
