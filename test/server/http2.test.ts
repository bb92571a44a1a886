/**
 * The gateway over HTTP/2 (node:http2's client, 127.0.0.1): the environ of
 * a stream, start_response's rules over a stream, framing without chunks,
 * bodies in and out, and what a client gets wrong; h2 beside HTTP/1.1 on
 * one TLS port, h2c beside HTTP/1.1 on one cleartext port.
 */
import { request as httpsRequest } from 'node:https'
import { constants } from 'node:http2'
import { describe, expect, it } from 'vitest'

import type { Environ, StartResponse } from 'pulsar-ts'

import { h2connect, h2request } from '../helpers/h2.js'
import { serve } from '../helpers/listen.js'
import { http2 } from '../helpers/transports.js'
import { testCertificate } from '../helpers/tls.js'

/** Answers with the environ's plain keys as JSON. */
function echoEnviron(environ: Environ, startResponse: StartResponse) {
  const plain: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(environ))
    if (typeof value === 'string' || typeof value === 'boolean') plain[key] = value
  plain.connection = environ['pulsar.connection'].id
  plain.encrypted = environ['pulsar.connection'].encrypted
  startResponse('200 OK', [['Content-Type', 'application/json']])
  return [JSON.stringify(plain)]
}

const GET = (path: string, more: Record<string, string | string[]> = {}) => ({
  ':path': path,
  ...more,
})

describe('the environ of an HTTP/2 request', () => {
  it('maps the pseudo-headers, takes the scheme from the connection and shares one Connection per session', async () => {
    const { url, port } = await http2.serve(echoEnviron)
    const session = h2connect(url)
    const first = await h2request(
      session,
      GET('/a%20b/c?x=1&y=%20', { cookie: ['a=1', 'b=2'], 'x-thing': 'yes' }),
    )
    expect(first.status).toBe(200)
    const environ = JSON.parse(first.text) as Record<string, unknown>
    expect(environ).toMatchObject({
      SERVER_PROTOCOL: 'HTTP/2',
      REQUEST_METHOD: 'GET',
      PATH_INFO: '/a b/c',
      QUERY_STRING: 'x=1&y=%20',
      RAW_URI: '/a%20b/c?x=1&y=%20',
      HTTP_HOST: `127.0.0.1:${port}`,
      HTTP_COOKIE: 'a=1; b=2',
      HTTP_X_THING: 'yes',
      'wsgi.url_scheme': 'https',
      HTTPS: 'on',
      encrypted: true,
    })
    expect(Object.keys(environ).filter((key) => key.includes(':'))).toEqual([])
    const second = JSON.parse((await h2request(session, GET('/'))).text) as Record<string, unknown>
    expect(second.connection).toBe(environ.connection)
    const other = JSON.parse((await h2request(h2connect(url), GET('/'))).text) as Record<
      string,
      unknown
    >
    expect(other.connection).not.toBe(environ.connection)
  })

  it("reads each stream from its session: a session's stream event fires for every stream, the server's never", async () => {
    const { server, url } = await serve(echoEnviron, { http2: 'h2c' })
    const seen = { session: 0, server: 0 }
    server.http2Server!.on('stream', () => seen.server++)
    server.http2Server!.on('session', (session) => session.on('stream', () => seen.session++))
    const session = h2connect(url)
    for (let i = 0; i < 3; i++) expect((await h2request(session, GET('/'))).status).toBe(200)
    expect(seen).toEqual({ session: 3, server: 0 })
  })

  it('is http over h2c, and HTTP/1.1 is served on the same port', async () => {
    const { url, port } = await serve(echoEnviron, { http2: 'h2c' })
    const answer = await h2request(h2connect(url), GET('/h2c'))
    expect(JSON.parse(answer.text)).toMatchObject({
      SERVER_PROTOCOL: 'HTTP/2',
      'wsgi.url_scheme': 'http',
      HTTP_HOST: `127.0.0.1:${port}`,
      encrypted: false,
    })
    const http1 = (await (await fetch(`${url}/h1`)).json()) as Record<string, unknown>
    expect(http1).toMatchObject({ SERVER_PROTOCOL: 'HTTP/1.1', PATH_INFO: '/h1' })
  })

  it('serves HTTP/1.1 on the TLS port to a client that offers only http/1.1', async () => {
    const { url } = await http2.serve(echoEnviron)
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest(`${url}/one`, { ca: testCertificate().ca }, (res) => {
        let text = ''
        res.on('data', (chunk: Buffer) => (text += chunk.toString()))
        res.on('end', () => resolve(text))
      })
      req.on('error', reject)
      req.end()
    })
    expect(JSON.parse(body)).toMatchObject({
      SERVER_PROTOCOL: 'HTTP/1.1',
      'wsgi.url_scheme': 'https',
      PATH_INFO: '/one',
    })
  })

  it('refuses a Host that differs from :authority, and CONNECT, with a 4xx or 501 page', async () => {
    const { url } = await http2.serve(echoEnviron)
    const session = h2connect(url)
    const host = await h2request(
      session,
      GET('/', { ':authority': new URL(url).host, host: 'elsewhere.example' }),
    )
    expect(host.status).toBe(400)
    expect(host.text).toMatch(/Host/)
    // a Host that agrees is one Host
    const authority = new URL(url).host
    const same = await h2request(
      session,
      GET('/same', { ':authority': authority, host: authority }),
    )
    expect([same.status, JSON.parse(same.text).HTTP_HOST]).toEqual([200, authority])
    const connect = await h2request(session, {
      ':method': 'CONNECT',
      ':authority': 'example.com:443',
    })
    expect(connect.status).toBe(501)
    // the session goes on
    expect((await h2request(session, GET('/after'))).status).toBe(200)
  })

  it('refuses what node:http refuses over HTTP/1.1: a path past ASCII (400), an expectation other than 100-continue (417)', async () => {
    const { url } = await http2.serve(echoEnviron)
    const session = h2connect(url)
    // nghttp2 lets these bytes through in :path
    for (const path of ['/caf\u00e9', '/a?q=\u00ff', '/\u0080'])
      expect((await h2request(session, GET(path))).status, path).toBe(400)
    const encoded = await h2request(session, GET('/caf%C3%A9'))
    expect(JSON.parse(encoded.text).PATH_INFO).toBe('/café')
    const odd = await h2request(session, GET('/', { expect: 'something-else' }))
    expect(odd.status).toBe(417)
    // node:http's test: the 100-continue token, in any case, among others
    const upper = await h2request(
      session,
      { ':method': 'POST', ':path': '/', expect: '100-Continue' },
      'a body',
    )
    expect(upper.status).toBe(200)
    expect((await h2request(session, GET('/after'))).status).toBe(200)
  })
})

describe('start_response over a stream', () => {
  it('drops connection-specific headers with one warning each, and sends no reason', async () => {
    const { url, log } = await http2.serve((_environ: Environ, startResponse: StartResponse) => {
      startResponse('299 Fine Indeed', [
        ['Connection', 'close'],
        ['Keep-Alive', 'timeout=5'],
        ['Transfer-Encoding', 'chunked'],
        ['Upgrade', 'h2c'],
        ['Proxy-Connection', 'keep-alive'],
        ['X-Kept', 'yes'],
      ])
      return ['ok']
    })
    const session = h2connect(url)
    for (let i = 0; i < 2; i++) {
      const answer = await h2request(session, GET('/'))
      expect(answer.status).toBe(299)
      expect(answer.text).toBe('ok')
      expect(answer.headers['x-kept']).toBe('yes')
      for (const name of ['connection', 'keep-alive', 'transfer-encoding', 'upgrade'])
        expect(answer.headers[name]).toBeUndefined()
      expect(answer.headers['proxy-connection']).toBeUndefined()
    }
    const warnings = log.records.filter((r) => r.level === 40 && r.msg.includes('hop-by-hop'))
    expect(warnings.map((r) => r.msg.match(/"(.+)"/)![1]!.toLowerCase()).sort()).toEqual([
      'connection',
      'keep-alive',
      'proxy-connection',
      'transfer-encoding',
      'upgrade',
    ])
  })

  it('answers 500 to a header value with a control character, after the same name sent a good one', async () => {
    // the query is the value of X-Value: each request sends a new one
    const { url, log } = await http2.serve((environ: Environ, startResponse: StartResponse) => {
      startResponse('200 OK', [['X-Value', decodeURIComponent(environ.QUERY_STRING)]])
      return ['ok']
    })
    const session = h2connect(url)
    const answers = []
    for (const value of ['good', 'a\0b', 'good', 'a\r\nSet-Cookie: x=1', 'a\nb', '10 €', 'fine'])
      answers.push(await h2request(session, GET(`/?${encodeURIComponent(value)}`)))
    expect(answers.map((answer) => [answer.status, answer.headers['x-value']])).toEqual([
      [200, 'good'],
      [500, undefined],
      [200, 'good'],
      [500, undefined],
      [500, undefined],
      [500, undefined],
      [200, 'fine'],
    ])
    expect(answers.some((answer) => answer.headers['set-cookie'] !== undefined)).toBe(false)
    expect(log.errors()).toHaveLength(4)
  })

  it('sends one Date, the time now, unless the application sent its own', async () => {
    const theirs = 'Sun, 06 Nov 1994 08:49:37 GMT'
    const { url } = await http2.serve((environ: Environ, startResponse: StartResponse) => {
      const headers: [string, string][] = [['Content-Type', 'text/plain']]
      if (environ.PATH_INFO === '/theirs') headers.push(['Date', theirs])
      // five fields or more: the head node:http2 would otherwise complete itself
      for (const name of ['A', 'B', 'C', 'D']) headers.push([`X-${name}`, name])
      startResponse('200 OK', headers)
      return ['ok']
    })
    const session = h2connect(url)
    const before = Math.floor(Date.now() / 1000) * 1000
    const ours = await h2request(session, GET('/'))
    const after = Date.now()
    const sent = Date.parse(ours.headers.date as string)
    expect(ours.headers.date).toMatch(/^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/)
    expect(sent).toBeGreaterThanOrEqual(before)
    expect(sent).toBeLessThanOrEqual(after)
    expect((await h2request(session, GET('/theirs'))).headers.date).toBe(theirs)
  })

  it('sends the head asked for when the same one comes again: a list changed in place, the Date of the second it goes out', async () => {
    const theirs = 'Sun, 06 Nov 1994 08:49:37 GMT'
    const counted: [string, string][] = [
      ['Content-Type', 'text/plain'],
      ['X-Count', '0'],
    ]
    const dated: [string, string][] = [
      ['Content-Type', 'text/plain'],
      ['Date', theirs],
    ]
    const fixed: [string, string][] = [['Content-Type', 'text/plain']]
    let count = 0
    const { url } = await http2.serve((environ: Environ, startResponse: StartResponse) => {
      // the same list each time, its value changed in place
      if (environ.PATH_INFO === '/count') counted[1]![1] = String(++count)
      const lists: Record<string, [string, string][]> = { '/count': counted, '/dated': dated }
      startResponse('200 OK', lists[environ.PATH_INFO] ?? fixed)
      return ['ok']
    })
    const session = h2connect(url)
    const counts = [
      await h2request(session, GET('/count')),
      await h2request(session, GET('/count')),
    ]
    expect(counts.map((answer) => answer.headers['x-count'])).toEqual(['1', '2'])
    const dates = [await h2request(session, GET('/dated')), await h2request(session, GET('/dated'))]
    expect(dates.map((answer) => answer.headers.date)).toEqual([theirs, theirs])
    await h2request(session, GET('/fixed'))
    // the next second of the clock: the same head goes out again with that second's Date
    const next = Math.floor(Date.now() / 1000) * 1000 + 1000
    await new Promise((resolve) => setTimeout(resolve, next - Date.now() + 10))
    const later = await h2request(session, GET('/fixed'))
    expect(Date.parse(later.headers.date as string)).toBeGreaterThanOrEqual(next)
    expect(later.headers['x-count']).toBeUndefined()
  })

  it('sends no body for HEAD, 204 and 304, and a Content-Length for a body in hand', async () => {
    const { url } = await http2.serve((environ: Environ, startResponse: StartResponse) => {
      const status = environ.PATH_INFO.slice(1) || '200'
      startResponse(status, [['Content-Type', 'text/plain']])
      return ['twelve bytes']
    })
    const session = h2connect(url)
    const get = await h2request(session, GET('/'))
    expect([get.status, get.text, get.headers['content-length']]).toEqual([
      200,
      'twelve bytes',
      '12',
    ])
    const head = await h2request(session, { ':method': 'HEAD', ':path': '/' })
    expect([head.status, head.body.length, head.headers['content-length']]).toEqual([200, 0, '12'])
    for (const status of [204, 304]) {
      const answer = await h2request(session, GET(`/${status}`))
      expect([answer.status, answer.body.length, answer.rstCode]).toEqual([status, 0, 0])
    }
  })

  it('streams a body of unknown length without chunked framing', async () => {
    const { url } = await http2.serve((_environ: Environ, startResponse: StartResponse) => {
      startResponse('200 OK', [['Content-Type', 'text/plain']])
      return (async function* () {
        yield 'one '
        yield Buffer.from('two ')
        yield 'three'
      })()
    })
    const answer = await h2request(h2connect(url), GET('/'))
    expect(answer.text).toBe('one two three')
    expect(answer.headers['content-length']).toBeUndefined()
    expect(answer.headers['transfer-encoding']).toBeUndefined()
  })

  it('resets the stream, not the session, when a streamed body breaks its Content-Length', async () => {
    const { url } = await http2.serve((environ: Environ, startResponse: StartResponse) => {
      startResponse('200 OK', [['Content-Length', '5']])
      if (environ.PATH_INFO === '/fine') return ['fine!']
      return (async function* () {
        yield 'abc'
        yield environ.PATH_INFO === '/long' ? 'defgh' : ''
      })()
    })
    const session = h2connect(url)
    for (const path of ['/long', '/short']) {
      const answer = await h2request(session, GET(path))
      expect(answer.rstCode, path).toBe(constants.NGHTTP2_INTERNAL_ERROR)
    }
    expect((await h2request(session, GET('/fine'))).text).toBe('fine!')
  })
})

describe('wsgi.input over HTTP/2', () => {
  /** Echoes the body with what the environ said of it. */
  const echoBody = async (environ: Environ, startResponse: StartResponse) => {
    const body = await environ['wsgi.input'].read()
    startResponse('200 OK', [['Content-Type', 'application/json']])
    return [
      JSON.stringify({
        length: body.length,
        async: environ['wsgi.async'] ?? false,
        CONTENT_LENGTH: environ.CONTENT_LENGTH ?? null,
        chunked: environ.HTTP_TRANSFER_ENCODING ?? null,
        head: body.subarray(0, 5).toString(),
      }),
    ]
  }

  it('hands a small body over in memory, with or without a content-length', async () => {
    const { url } = await http2.serve(echoBody)
    const session = h2connect(url)
    const declared = await h2request(
      session,
      { ':method': 'POST', ':path': '/', 'content-length': '5' },
      'hello',
    )
    expect(JSON.parse(declared.text)).toEqual({
      length: 5,
      async: false,
      CONTENT_LENGTH: '5',
      chunked: null,
      head: 'hello',
    })
    const undeclared = await h2request(session, { ':method': 'POST', ':path': '/' }, 'howdy')
    expect(JSON.parse(undeclared.text)).toMatchObject({ length: 5, CONTENT_LENGTH: '5' })
  })

  it('streams a large body without a content-length, framed by the end of the stream', async () => {
    const { url } = await http2.serve(echoBody)
    const big = Buffer.alloc(300_000, 'x')
    const answer = await h2request(h2connect(url), { ':method': 'POST', ':path': '/' }, big)
    expect(JSON.parse(answer.text)).toEqual({
      length: 300_000,
      async: true,
      CONTENT_LENGTH: null,
      chunked: 'chunked',
      head: 'xxxxx',
    })
  })

  it('answers 413 over the stream, then resets only that stream', async () => {
    const { url } = await http2.serve(echoBody, { stream_buffer: 1000 })
    const session = h2connect(url)
    const declared = await h2request(
      session,
      { ':method': 'POST', ':path': '/', 'content-length': '200000' },
      Buffer.alloc(200_000),
    )
    expect(declared.status).toBe(413)
    expect(declared.rstCode).toBe(constants.NGHTTP2_NO_ERROR)
    const streamed = await h2request(
      session,
      { ':method': 'POST', ':path': '/' },
      Buffer.alloc(200_000),
    )
    expect(streamed.status).toBe(413)
    expect((await h2request(session, { ':method': 'POST', ':path': '/' }, 'small')).status).toBe(
      200,
    )
    expect(session.destroyed).toBe(false)
  })

  it('sends 100 Continue when the application reads the body, and 417 when it refuses it', async () => {
    const { url } = await http2.serve(async (environ: Environ, startResponse: StartResponse) => {
      if (environ.PATH_INFO === '/refuse') environ['wsgi.input'].fail()
      const text = (await environ['wsgi.input'].read()).toString()
      startResponse('200 OK', [])
      return [text]
    })
    const session = h2connect(url)
    const send = (path: string) =>
      new Promise<{ status: number; continued: boolean; text: string }>((resolve) => {
        const stream = session.request(
          { ':method': 'POST', ':path': path, expect: '100-continue' },
          { endStream: false },
        )
        let continued = false
        let status = 0
        let text = ''
        stream.on('continue', () => {
          continued = true
          stream.end('the body')
        })
        stream.on('response', (headers) => {
          status = Number(headers[':status'])
          if (!continued) stream.close()
        })
        stream.on('data', (chunk: Buffer) => (text += chunk.toString()))
        stream.on('error', () => undefined)
        stream.on('close', () => resolve({ status, continued, text }))
      })
    expect(await send('/read')).toEqual({ status: 200, continued: true, text: 'the body' })
    const refused = await send('/refuse')
    expect([refused.status, refused.continued]).toEqual([417, false])
  })

  it('answers 408 to a body slower than request_timeout', async () => {
    const { url } = await http2.serve(echoBody, { request_timeout: 0.5, headers_timeout: 0.5 })
    const session = h2connect(url)
    const stream = session.request({ ':method': 'POST', ':path': '/' }, { endStream: false })
    stream.write('a start, and nothing more')
    const status = await new Promise((resolve) =>
      stream.on('response', (headers) => resolve(headers[':status'])),
    )
    expect(status).toBe(408)
    expect((await h2request(session, { ':path': '/' })).status).toBe(200)
  })
})

describe('an idle session', () => {
  it('is closed with GOAWAY after http_keep_alive, never while a stream is open', async () => {
    const events: string[] = []
    // held for five times the keep-alive: the idle check runs about twenty times meanwhile
    const held = async (_environ: Environ, startResponse: StartResponse) => {
      await new Promise((resolve) => setTimeout(resolve, 1000))
      startResponse('200 OK', [])
      return ['held']
    }
    const { url } = await http2.serve(held, { http_keep_alive: 0.2 })
    const session = h2connect(url)
    const goaway = new Promise<number>((resolve) =>
      session.once('goaway', (code: number) => {
        events.push('goaway')
        resolve(code)
      }),
    )
    const answer = await h2request(session, { ':path': '/' })
    events.push(`answer ${answer.status} ${answer.text}`)
    expect(await goaway).toBe(constants.NGHTTP2_NO_ERROR)
    expect(events).toEqual(['answer 200 held', 'goaway'])
  })
})
