/**
 * Framing and connection rules over real sockets: Content-Length versus
 * chunked, HEAD, 1xx/204/304, keep-alive per HTTP version, pipelining, and
 * hop-by-hop headers.
 */
import { describe, expect, it } from 'vitest'

import type { Environ, Header, StartResponse } from 'pulsar-ts'

import { serve } from '../helpers/listen.js'
import { RawClient, parseResponse, rawExchange, statuses } from '../helpers/raw.js'
import { eventually } from '../helpers/wait.js'

function app(environ: Environ, startResponse: StartResponse): Iterable<string> {
  const path = environ.PATH_INFO
  if (path === '/length') {
    startResponse('200 OK', [['Content-Length', '5']])
    return ['hello']
  }
  if (path === '/stream') {
    startResponse('200 OK', [['Content-Type', 'text/plain']])
    return (function* () {
      yield 'one '
      yield 'two'
    })()
  }
  if (path === '/toolong' || path === '/tooshort') {
    startResponse('200 OK', [['Content-Length', '4']])
    return path === '/toolong' ? ['ab', 'cdef'] : ['ab', 'c']
  }
  if (path === '/toolong-stream' || path === '/tooshort-stream') {
    startResponse('200 OK', [['Content-Length', '4']])
    const chunks = path === '/toolong-stream' ? ['ab', 'cdef'] : ['ab', 'c']
    return (function* () {
      yield* chunks
    })()
  }
  if (path === '/nocontent') {
    startResponse('204 No Content', [['Content-Length', '3']])
    return ['abc']
  }
  if (path === '/notmodified') {
    startResponse('304 Not Modified', [['ETag', '"x"']])
    return ['abc']
  }
  if (path === '/hop') {
    const headers: Header[] = [
      ['Connection', 'close'],
      ['Transfer-Encoding', 'chunked'],
      ['Keep-Alive', 'timeout=1'],
      ['Upgrade', 'h2c'],
      ['X-Kept', 'yes'],
    ]
    startResponse('200 OK', headers)
    return ['ok']
  }
  startResponse('200 OK', [['Content-Type', 'text/plain']])
  return [`${environ.REQUEST_METHOD} ${path}`]
}

const get = (path: string, version = '1.1', extra = '') =>
  `GET ${path} HTTP/${version}\r\nHost: test\r\n${extra}\r\n`

describe('framing', () => {
  it('keeps a declared Content-Length and adds Server and Date', async () => {
    const { url } = await serve(app)
    const res = await fetch(`${url}/length`)
    expect(res.headers.get('content-length')).toBe('5')
    expect(res.headers.get('transfer-encoding')).toBeNull()
    expect(res.headers.get('server')).toBe('pulsar-ts/0.1.0')
    expect(new Date(res.headers.get('date')!).getTime()).toBeGreaterThan(Date.now() - 5000)
    expect(await res.text()).toBe('hello')
  })

  it('sends no Server header when server_software is empty, and the application may send one', async () => {
    const { url } = await serve(app, { server_software: '' })
    const res = await fetch(`${url}/length`)
    expect(res.headers.get('server')).toBeNull()
    expect(res.headers.get('date')).not.toBeNull()
    expect(await res.text()).toBe('hello')
    const own = await serve(
      (_environ: Environ, startResponse: StartResponse) => (
        startResponse('200 OK', [['Server', 'theirs']]),
        ['ok']
      ),
      { server_software: '' },
    )
    expect((await fetch(own.url)).headers.get('server')).toBe('theirs')
  })

  it('frames a body that is in hand with a Content-Length', async () => {
    const { url } = await serve(app)
    const res = await fetch(`${url}/whole`)
    expect(res.headers.get('content-length')).toBe('10')
    expect(await res.text()).toBe('GET /whole')
  })

  it('streams a generator body chunked on HTTP/1.1', async () => {
    const { port } = await serve(app)
    const client = await RawClient.connect(port)
    client.send(get('/stream'))
    const received = await client.until((r) => r.endsWith('0\r\n\r\n'))
    client.close()
    const { headers, body } = parseResponse(received)
    expect(headers['transfer-encoding']).toBe('chunked')
    expect(headers['content-length']).toBeUndefined()
    expect(body).toBe('4\r\none \r\n3\r\ntwo\r\n0\r\n\r\n')
  })

  it('never chunks for HTTP/1.0: the body ends with the connection', async () => {
    const { port } = await serve(app)
    const received = await rawExchange(port, get('/stream', '1.0', 'TE: chunked\r\n'))
    const { headers, body } = parseResponse(received)
    expect(headers['transfer-encoding']).toBeUndefined()
    expect(headers.connection).toBe('close')
    expect(body).toBe('one two')
  })

  it('answers HEAD with the headers of GET and no body', async () => {
    const { port } = await serve(app)
    const client = await RawClient.connect(port)
    client.send('HEAD /length HTTP/1.1\r\nHost: test\r\n\r\n' + get('/length'))
    const received = await client.until((r) => r.endsWith('hello'))
    client.close()
    expect(statuses(received)).toEqual([200, 200])
    const [head, second] = received.split(/(?=HTTP\/1\.1)/)
    expect(parseResponse(head!).headers['content-length']).toBe('5')
    expect(parseResponse(head!).body).toBe('')
    expect(parseResponse(second!).body).toBe('hello')
  })

  it('sends no body, length or chunking for 204 and no body for 304', async () => {
    const { port } = await serve(app)
    const client = await RawClient.connect(port)
    client.send(get('/nocontent') + get('/notmodified') + get('/length'))
    const received = await client.until((r) => r.endsWith('hello'))
    client.close()
    expect(statuses(received)).toEqual([204, 304, 200])
    const [noContent, notModified] = received.split(/(?=HTTP\/1\.1)/)
    expect(parseResponse(noContent!).headers['content-length']).toBeUndefined()
    expect(parseResponse(noContent!).headers['transfer-encoding']).toBeUndefined()
    expect(parseResponse(noContent!).body).toBe('')
    expect(parseResponse(notModified!).headers.etag).toBe('"x"')
    expect(parseResponse(notModified!).body).toBe('')
  })

  it('answers 500 when a body in hand does not match its Content-Length, before sending anything', async () => {
    const { port, log } = await serve(app)
    for (const path of ['/toolong', '/tooshort']) {
      const client = await RawClient.connect(port)
      client.send(get(path) + get('/length'))
      const received = await client.until((data) => statuses(data).length === 2)
      client.close()
      expect(statuses(received)).toEqual([500, 200])
    }
    expect(log.errors()).toHaveLength(2)
    expect(log.errors()[0]!.err!.message).toMatch(/Content-Length/)
  })

  it('cuts the connection rather than stream a body that does not match its Content-Length', async () => {
    const { port, log } = await serve(app)
    for (const path of ['/toolong-stream', '/tooshort-stream']) {
      const client = await RawClient.connect(port)
      client.send(get(path) + get('/length'))
      const received = await client.untilClosed()
      client.close()
      expect(statuses(received)).toEqual([200])
      expect(parseResponse(received).body.length).toBeLessThanOrEqual(4)
    }
    expect(log.errors()).toHaveLength(2)
  })

  it('drops hop-by-hop headers set by the application, with one warning per name', async () => {
    const { url, log } = await serve(app)
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${url}/hop`)
      expect(res.headers.get('x-kept')).toBe('yes')
      expect(res.headers.get('upgrade')).toBeNull()
      expect(res.headers.get('keep-alive')).not.toBe('timeout=1')
      expect(res.headers.get('connection')).not.toBe('close')
      expect(await res.text()).toBe('ok')
    }
    const warnings = log.records.filter((r) => r.level === 40 && r.msg.includes('hop-by-hop'))
    expect(warnings.map((w) => w.msg).filter((m) => m.includes('"Upgrade"'))).toHaveLength(1)
  })
})

describe('keep-alive', () => {
  it('keeps HTTP/1.1 connections open and answers pipelined requests in order', async () => {
    const slowFirst = async (environ: Environ, startResponse: StartResponse) => {
      if (environ.PATH_INFO === '/1') await new Promise((resolve) => setTimeout(resolve, 100))
      startResponse('200 OK', [])
      return [environ.PATH_INFO]
    }
    const { port } = await serve(slowFirst)
    const client = await RawClient.connect(port)
    client.send(get('/1') + get('/2') + get('/3'))
    const received = await client.until((r) => statuses(r).length === 3)
    expect(received.match(/\r\n\r\n(\/\d)/g)).toEqual(['\r\n\r\n/1', '\r\n\r\n/2', '\r\n\r\n/3'])
    expect(client.closed).toBe(false)
    client.close()
  })

  it('closes HTTP/1.0 connections unless the client asks for keep-alive', async () => {
    const { port } = await serve(app)
    const closed = await rawExchange(port, get('/length', '1.0'))
    expect(parseResponse(closed).headers.connection).toBe('close')

    const client = await RawClient.connect(port)
    client.send(get('/length', '1.0', 'Connection: keep-alive\r\n'))
    const kept = await client.until((r) => r.endsWith('hello'))
    expect(parseResponse(kept).headers.connection).toBe('keep-alive')
    client.send(get('/length', '1.0', 'Connection: keep-alive\r\n'))
    await client.until((r) => statuses(r).length === 2)
    expect(client.closed).toBe(false)
    client.close()
  })

  it('closes HTTP/1.1 connections when the client says Connection: close', async () => {
    const { port } = await serve(app)
    const received = await rawExchange(port, get('/length', '1.1', 'Connection: close\r\n'))
    expect(parseResponse(received).headers.connection).toBe('close')
  })

  it('treats a client that half-closes as gone: its request is aborted', async () => {
    let arrived = false
    let aborted = false
    const late = async (environ: Environ, startResponse: StartResponse) => {
      const signal = environ['pulsar.cache'].signal
      arrived = true
      await new Promise((resolve) => signal.addEventListener('abort', resolve))
      aborted = true
      startResponse('200 OK', [])
      return ['late']
    }
    const { port } = await serve(late)
    const client = await RawClient.connect(port)
    client.send(get('/'))
    await eventually(() => arrived)
    client.socket.end()
    const received = await client.untilClosed()
    expect(aborted).toBe(true)
    expect(received).toBe('')
  })
})
