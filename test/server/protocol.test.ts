/**
 * Hostile and malformed requests over raw sockets: each gets the right
 * status and a closed connection, never a crash.
 */
import { describe, expect, it } from 'vitest'

import type { Environ, StartResponse } from 'pulsar-ts'

import { serve } from '../helpers/listen.js'
import { RawClient, parseResponse, rawExchange, statuses } from '../helpers/raw.js'

function ok(environ: Environ, startResponse: StartResponse) {
  startResponse('200 OK', [['Content-Type', 'text/plain']])
  return [`${environ.PATH_INFO}`]
}

describe('malformed requests', () => {
  const cases: [string, string, number][] = [
    ['a garbage request line', 'hello\r\n\r\n', 400],
    ['a lower-case method', 'get / HTTP/1.1\r\nHost: t\r\n\r\n', 400],
    ['an unknown HTTP version', 'GET / HTTP/1.2\r\nHost: t\r\n\r\n', 400],
    ['a space in the target', 'GET /a b HTTP/1.1\r\nHost: t\r\n\r\n', 400],
    ['HTTP/1.1 without Host', 'GET / HTTP/1.1\r\n\r\n', 400],
    ['two Host headers', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400],
    ['two Host headers spelt apart', 'GET / HTTP/1.1\r\nHost: a\r\nhOST: b\r\n\r\n', 400],
    [
      'Content-Length with Transfer-Encoding',
      'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
    ],
    [
      'two different Content-Lengths',
      'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd',
      400,
    ],
    ['obs-fold', 'GET / HTTP/1.1\r\nHost: t\r\nX-A: a\r\n  b\r\n\r\n', 400],
    ['a NUL in a header value', 'GET / HTTP/1.1\r\nHost: t\r\nX-A: a\0b\r\n\r\n', 400],
    ['a malformed percent escape in the path', 'GET /a%zz HTTP/1.1\r\nHost: t\r\n\r\n', 400],
    ['a path that is not UTF-8', 'GET /%ff HTTP/1.1\r\nHost: t\r\n\r\n', 400],
    ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 400],
    [
      'a head over max_header_size',
      `GET / HTTP/1.1\r\nHost: t\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`,
      431,
    ],
  ]

  for (const [name, request, status] of cases) {
    it(`answers ${status} to ${name}`, async () => {
      const { port, server } = await serve(ok)
      const answer = await rawExchange(port, request)
      expect(statuses(answer)).toEqual([status])
      if (answer.includes('\r\n\r\n'))
        expect(parseResponse(answer).headers.connection).toBe('close')
      // the server still serves
      expect((await fetch(server.url!)).status).toBe(200)
    })
  }

  it('serves HTTP/1.0 without Host', async () => {
    const { port } = await serve(ok)
    const answer = await rawExchange(port, 'GET /x HTTP/1.0\r\n\r\n')
    expect(statuses(answer)).toEqual([200])
    expect(parseResponse(answer).body).toBe('/x')
  })

  it('takes the path of an absolute-form request target, and its scheme from the connection', async () => {
    const { port } = await serve((environ: Environ, startResponse: StartResponse) => {
      startResponse('200 OK', [])
      return [
        `${environ['wsgi.url_scheme']} ${environ.PATH_INFO} ${environ.QUERY_STRING} ${environ.RAW_URI}`,
      ]
    })
    const answer = await rawExchange(
      port,
      'GET https://example.com/a%20b?x=1 HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n',
    )
    // a plain connection is http, whatever scheme the target names (docs/server.md)
    expect(parseResponse(answer).body).toBe('http /a b x=1 https://example.com/a%20b?x=1')
  })
})

describe('timeouts', () => {
  it('answers 408 to a client that sends its head too slowly', async () => {
    const { port } = await serve(ok, { headers_timeout: 0.3, request_timeout: 0.6 })
    const client = await RawClient.connect(port)
    client.send('GET / HTTP/1.1\r\n')
    // a header line every 100 ms would keep the connection open for minutes without the timeout
    const timer = setInterval(() => client.send('X-Slow: 1\r\n'), 100)
    try {
      const answer = await client.untilClosed()
      expect(statuses(answer)).toEqual([408])
    } finally {
      clearInterval(timer)
      client.close()
    }
  })

  it('answers 408 to a client that connects and sends nothing', async () => {
    const { port } = await serve(ok, { headers_timeout: 0.3, request_timeout: 0.6 })
    const client = await RawClient.connect(port)
    const answer = await client.untilClosed()
    expect(statuses(answer)).toEqual([408])
    client.close()
  })

  it('answers 408 to a body that trickles in slower than request_timeout', async () => {
    const { port } = await serve(
      async (environ: Environ, startResponse: StartResponse) => {
        await environ['wsgi.input'].read()
        startResponse('200 OK', [])
        return []
      },
      { headers_timeout: 0.3, request_timeout: 0.6 },
    )
    const client = await RawClient.connect(port)
    client.send('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nab')
    const answer = await client.untilClosed()
    expect(statuses(answer)).toEqual([408])
    client.close()
  })

  it('closes an idle keep-alive connection after http_keep_alive', async () => {
    const { port } = await serve(ok, { http_keep_alive: 0.2 })
    const client = await RawClient.connect(port)
    client.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n')
    const answer = await client.untilClosed()
    expect(statuses(answer)).toEqual([200])
    client.close()
  })
})

describe('upgrade requests no handler takes', () => {
  it('writes the application answer and closes the socket', async () => {
    const { port } = await serve((environ: Environ, startResponse: StartResponse) => {
      startResponse('404 Not Found', [])
      return [`no ${environ.HTTP_UPGRADE}`]
    })
    const answer = await rawExchange(
      port,
      'GET /chat HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    )
    expect(statuses(answer)).toEqual([404])
    expect(parseResponse(answer).headers.connection).toBe('close')
    expect(parseResponse(answer).body).toBe('no websocket')
  })

  it('hands the socket over when a handler takes it', async () => {
    const { port } = await serve((environ: Environ, startResponse: StartResponse) => {
      const { socket } = environ['pulsar.connection'].takeOver()
      socket.end(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nswitched',
      )
      startResponse('200 OK', [])
      return ['never sent']
    })
    const answer = await rawExchange(
      port,
      'GET / HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n',
    )
    expect(answer).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nswitched',
    )
  })

  it('cuts an upgrade the application never answers after request_timeout', async () => {
    const { port } = await serve(() => new Promise<string[]>(() => undefined), {
      headers_timeout: 0.2,
      request_timeout: 0.3,
    })
    const client = await RawClient.connect(port)
    client.send('GET / HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n')
    expect(await client.untilClosed(2000)).toBe('')
    client.close()
  })
})
