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
  'application/json; charset=bogus',
  'application/json; charset=utf-16',
  'application/x-www-form-urlencoded; charset=latin1',
  'multipart/form-data; boundary=x',
  'multipart/form-data',
  'Sun, 06 Nov 1994 08:49:37 GMT',
  '99999',
  'http://',
  'http://a.b',
  'null',
  '[::1]',
  'a:b',
]
// what each header usually carries, to be broken by the pieces above
const HEADERS: Record<string, readonly string[]> = {
  Cookie: ['a=b; c=d', 'a=%zz', 'a="b', '=; ;=', 'a=b=c'],
  Accept: ['application/json', 'text/html;q=0', '*/*;q=0.1', 'application/*'],
  'Accept-Encoding': ['gzip', 'br, gzip;q=0.5', 'deflate;q=0', '*'],
  'Content-Type': [
    'application/json; charset=bogus',
    'application/json; charset=utf-16',
    'application/x-www-form-urlencoded; charset=latin1',
    'application/x-www-form-urlencoded; charset=nope',
    'multipart/form-data; boundary=x',
    'multipart/form-data',
    'text/plain; charset=',
  ],
  Range: ['bytes=0-1', 'bytes=-5', 'bytes=0-1,3-4', 'bytes=9-1', 'items=0-1'],
  'If-Range': ['"etag"', 'Sun, 06 Nov 1994 08:49:37 GMT', '2999'],
  'If-None-Match': ['*', '"a", W/"b"', 'W/'],
  'If-Modified-Since': [
    'Sun, 06 Nov 1994 08:49:37 GMT',
    '99999',
    '2999',
    'Sun, 31 Feb 2999 00:00:00 GMT',
  ],
  Origin: ['http://a.b', 'null', 'https://x.example', 'file://'],
  Authorization: ['Basic dTpw', 'Basic !!!', 'Bearer t', 'Basic', 'Digest a=b'],
  'Access-Control-Request-Method': ['GET', 'PUT', 'X'],
  'Access-Control-Request-Headers': ['x-a, x-b', ',,,', 'content-type'],
  'X-Forwarded-For': ['1.2.3.4', ',', 'a, b'],
  'X-Forwarded-Proto': ['https', 'wss', 'gopher'],
}
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
  for (const [header, usual] of Object.entries(HEADERS)) {
    if (next() < 0.5) continue
    const value = next() < 0.6 ? pick(usual) : pick(PIECES)
    lines.push(`${header}: ${value}${next() < 0.3 ? pick(PIECES) : ''}`)
  }
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
    for (let i = 0; i < 600; i++) {
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
