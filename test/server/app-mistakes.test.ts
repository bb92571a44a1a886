/**
 * An application's mistakes in the head or the body it gives the server:
 * found before anything reached the socket, each is a 500 page, logged once,
 * and the connection goes on; found after bytes went out, the connection is
 * cut (docs/server.md, "What an application gets wrong").
 */
import { describe, expect, it } from 'vitest'

import type { Environ, Header, StartResponse } from 'pulsar-ts'

import { serve } from '../helpers/listen.js'
import { RawClient, parseResponse, statuses } from '../helpers/raw.js'

type Mistake = (startResponse: StartResponse) => unknown

const ok = (startResponse: StartResponse) => (startResponse('200 OK', []), ['fine'])
const withHeaders =
  (headers: unknown): Mistake =>
  (startResponse) => {
    startResponse('200 OK', headers as Header[])
    return ['body']
  }
const withStatus =
  (status: unknown): Mistake =>
  (startResponse) => {
    startResponse(status as string, [])
    return ['body']
  }
const withBody =
  (body: unknown): Mistake =>
  (startResponse) => {
    startResponse('200 OK', [])
    return body
  }

const mistakes: Record<string, Mistake> = {
  'Content-Length in hex': withHeaders([['Content-Length', '0x4']]),
  'Content-Length with a fraction': withHeaders([['Content-Length', '4.0']]),
  'Content-Length with a sign': withHeaders([['Content-Length', '+4']]),
  'Content-Length with spaces': withHeaders([['Content-Length', ' 4']]),
  'Content-Length negative': withHeaders([['Content-Length', '-1']]),
  'Content-Length empty': withHeaders([['Content-Length', '']]),
  'Content-Length in exponent form': withHeaders([['Content-Length', '4e0']]),
  'two different Content-Length': withHeaders([
    ['Content-Length', '4'],
    ['content-length', '5'],
  ]),
  'Content-Length that disagrees with the body': withHeaders([['Content-Length', '3']]),
  'a header value with CR LF': withHeaders([['X-Evil', 'a\r\nSet-Cookie: x=1']]),
  'a header value with LF': withHeaders([['X-Evil', 'a\nb']]),
  'a header value with NUL': withHeaders([['X-Evil', 'a\0b']]),
  'a header value past Latin-1': withHeaders([['X-Price', '10 €']]),
  'a header name with a space': withHeaders([['Bad Name', 'x']]),
  'a header name with a colon': withHeaders([['X:Y', 'x']]),
  'an empty header name': withHeaders([['', 'x']]),
  'a header name past Latin-1': withHeaders([['X-Prix-€', 'x']]),
  'a number as a header value': withHeaders([['X-Count', 5]]),
  'a header that is not a pair': withHeaders(['X-Test: 1']),
  'headers that are not a list': withHeaders({ 'X-Test': '1' }),
  'a status without a reason separator': withStatus('200OK'),
  'a status that is not three digits': withStatus('20 OK'),
  'a 1xx status': withStatus('101 Switching Protocols'),
  'a status past 599': withStatus('600 Odd'),
  'a status with CR LF': withStatus('200 OK\r\nX-Evil: 1'),
  'a status with a control character': withStatus('200 O\x01K'),
  'a status past Latin-1': withStatus('200 D€ja'),
  'a number as the status': withStatus(200),
  'a number as a chunk': withBody([42]),
  'an object as a chunk': withBody([{ text: 'x' }]),
  'null as a chunk': withBody([null]),
  'undefined among chunks': withBody(['a', undefined]),
  'a boolean as a chunk': withBody([true]),
  'a generator of numbers': withBody(
    (function* () {
      yield 1
    })(),
  ),
  'a body that is not iterable': withBody(42),
  'null as the body': withBody(null),
}

function app(environ: Environ, startResponse: StartResponse): unknown {
  const name = decodeURIComponent(environ.PATH_INFO.slice(1))
  return (mistakes[name] ?? ok)(startResponse)
}

const get = (name: string) => `GET /${encodeURIComponent(name)} HTTP/1.1\r\nHost: test\r\n\r\n`

describe('an application mistake found before anything was sent', () => {
  it.each(Object.keys(mistakes))(
    '%s: a 500 page, logged once, and the connection goes on',
    async (name) => {
      const { port, log } = await serve(app as never)
      const client = await RawClient.connect(port)
      try {
        client.send(get(name) + get('next'))
        const received = await client.until(
          (data) => statuses(data).length === 2 && data.endsWith('fine'),
        )
        expect(statuses(received)).toEqual([500, 200])
        const first = parseResponse(received)
        expect(first.headers['content-type']).toMatch(/^text\/plain/)
        expect(first.body).toMatch(/^Internal Server Error\n/)
        expect(received).not.toContain('X-Evil')
        expect(log.errors()).toHaveLength(1)
      } finally {
        client.close()
      }
    },
  )
})
