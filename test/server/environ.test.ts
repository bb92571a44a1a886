/**
 * The environ: PEP 3333 keys, HTTP_* headers joined as RFC 9110 says, and
 * pulsar's keys, as built for real requests and by testWsgiEnviron.
 */
import { describe, expect, it } from 'vitest'

import type { Environ, StartResponse } from 'pulsar-ts'
import { testWsgiEnviron } from 'pulsar-ts/testing'

import { StreamInput } from '../../src/server/input.js'
import { serve } from '../helpers/listen.js'
import { RawClient, parseResponse } from '../helpers/raw.js'

/** Answers with the JSON of the environ's plain keys. */
function dump(environ: Environ, startResponse: StartResponse) {
  const plain = Object.fromEntries(
    Object.entries(environ).filter(([, value]) => typeof value !== 'object'),
  )
  const connection = environ['pulsar.connection']
  startResponse('200 OK', [['Content-Type', 'application/json']])
  return [
    JSON.stringify({
      ...plain,
      version: environ['wsgi.version'],
      input: environ['wsgi.input'] instanceof StreamInput ? 'stream' : 'memory',
      cfg: Object.isFrozen(environ['pulsar.cfg']) && environ['pulsar.cfg'].bind,
      connection: {
        id: connection.id,
        remote: connection.remote,
        local: connection.local,
        encrypted: connection.encrypted,
      },
    }),
  ]
}

async function environOf(port: number, request: string): Promise<Record<string, unknown>> {
  const client = await RawClient.connect(port)
  client.send(request)
  const received = await client.until((r) => r.includes('}}'))
  client.close()
  // the raw client reads latin1; the body is UTF-8 JSON
  return JSON.parse(Buffer.from(parseResponse(received).body, 'latin1').toString()) as Record<
    string,
    unknown
  >
}

describe('environ of a real request', () => {
  it('has every PEP 3333 key and pulsar key', async () => {
    const { port } = await serve(dump)
    const environ = await environOf(
      port,
      'POST /caf%C3%A9/x?a=1&b=%20 HTTP/1.1\r\nHost: example.org\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi',
    )
    expect(environ).toMatchObject({
      REQUEST_METHOD: 'POST',
      SCRIPT_NAME: '',
      PATH_INFO: '/café/x',
      QUERY_STRING: 'a=1&b=%20',
      RAW_URI: '/caf%C3%A9/x?a=1&b=%20',
      CONTENT_TYPE: 'text/plain',
      CONTENT_LENGTH: '2',
      SERVER_NAME: '127.0.0.1',
      SERVER_PORT: String(port),
      SERVER_PROTOCOL: 'HTTP/1.1',
      SERVER_SOFTWARE: 'pulsar-ts/0.1.0',
      REMOTE_ADDR: '127.0.0.1',
      HTTP_HOST: 'example.org',
      'wsgi.url_scheme': 'http',
      'wsgi.multithread': false,
      'wsgi.multiprocess': false,
      'wsgi.run_once': false,
      version: [1, 0],
      // the body came with the head: it is in memory, and wsgi.async absent
      input: 'memory',
      cfg: '127.0.0.1:0',
    })
    expect(environ['wsgi.async']).toBeUndefined()
    expect(Number(environ.REMOTE_PORT)).toBeGreaterThan(0)
    expect(environ.HTTPS).toBeUndefined()
    expect(environ.HTTP_CONTENT_TYPE).toBeUndefined()
    expect(environ.connection).toMatchObject({
      local: ['127.0.0.1', String(port)],
      encrypted: false,
    })
  })

  it('streams a body that comes after the head, with wsgi.async true', async () => {
    const { port } = await serve(dump)
    const client = await RawClient.connect(port)
    try {
      client.send('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n')
      // the application answers before it reads: the body never came with the head
      const received = await client.until((r) => r.includes('}}'))
      const environ = JSON.parse(parseResponse(received).body) as Record<string, unknown>
      expect(environ).toMatchObject({ 'wsgi.async': true, input: 'stream' })
    } finally {
      client.close()
    }
  })

  it('joins repeated headers with commas, cookies with semicolons, and drops names with underscores', async () => {
    const { port } = await serve(dump)
    const environ = await environOf(
      port,
      'GET / HTTP/1.1\r\nHost: t\r\nAccept: text/html\r\naccept: application/json\r\nCookie: a=1\r\nCookie: b=2\r\n' +
        'X-Forwarded-For: 10.0.0.1\r\nX_Forwarded_For: 6.6.6.6\r\n\r\n',
    )
    expect(environ.HTTP_ACCEPT).toBe('text/html, application/json')
    expect(environ.HTTP_COOKIE).toBe('a=1; b=2')
    expect(environ.HTTP_X_FORWARDED_FOR).toBe('10.0.0.1')
    expect(environ.REMOTE_ADDR).toBe('127.0.0.1')
  })

  it('joins every spelling of a repeated name, request after request, past the cache of names', async () => {
    const { port } = await serve(dump)
    // a thousand new names fill the gateway's caches of header names; then a name it has
    // never seen comes twice, in two spellings, twice on one connection
    const many = Array.from({ length: 1100 }, (_, i) => `X-Filler-${i}: ${i}\r\n`)
    const client = await RawClient.connect(port)
    for (let i = 0; i < many.length; i += 50)
      client.send(`GET / HTTP/1.1\r\nHost: t\r\n${many.slice(i, i + 50).join('')}\r\n`)
    const repeated = 'GET / HTTP/1.1\r\nHost: t\r\nX-Late: 1\r\nx-late: 2\r\n\r\n'
    client.send(repeated + repeated)
    const received = await client.until((r) => r.split('"HTTP_X_LATE":"1, 2"').length === 3)
    client.close()
    expect(received.split('HTTP/1.1 200 OK').length).toBe(1100 / 50 + 3)
  })

  it('takes scheme and client address from a trusted proxy only', async () => {
    const request =
      'GET / HTTP/1.1\r\nHost: t\r\nX-Forwarded-Proto: https\r\nX-Forwarded-For: 1.2.3.4, 10.0.0.9\r\n\r\n'
    const trusted = await serve(dump, { trust_proxy: true })
    expect(await environOf(trusted.port, request)).toMatchObject({
      'wsgi.url_scheme': 'https',
      HTTPS: 'on',
      REMOTE_ADDR: '10.0.0.9',
    })
    const untrusted = await serve(dump)
    expect(await environOf(untrusted.port, request)).toMatchObject({
      'wsgi.url_scheme': 'http',
      REMOTE_ADDR: '127.0.0.1',
    })
  })

  it('gives each connection one Connection, shared by its requests', async () => {
    const { port } = await serve(dump)
    const client = await RawClient.connect(port)
    client.send('GET /1 HTTP/1.1\r\nHost: t\r\n\r\nGET /2 HTTP/1.1\r\nHost: t\r\n\r\n')
    const received = await client.until((r) => (r.match(/}}/g) ?? []).length === 2)
    client.close()
    const ids = [...received.matchAll(/"connection":\{"id":(\d+)/g)].map((m) => m[1])
    expect(ids).toHaveLength(2)
    expect(ids[0]).toBe(ids[1])
    const other = await environOf(port, 'GET / HTTP/1.1\r\nHost: t\r\n\r\n')
    expect(String((other.connection as { id: number }).id)).not.toBe(ids[0])
  })
})

describe('testWsgiEnviron', () => {
  it('builds the environ of a made-up request', async () => {
    const environ = testWsgiEnviron({
      path: '/a%20b?x=1',
      method: 'post',
      headers: { 'X-Test': 'yes', 'Content-Type': 'application/json' },
      body: '{"k":1}',
      https: true,
      extra: { 'custom.key': 42 },
      debug: true,
    })
    expect(environ).toMatchObject({
      REQUEST_METHOD: 'POST',
      PATH_INFO: '/a b',
      QUERY_STRING: 'x=1',
      HTTP_HOST: '127.0.0.1:8060',
      HTTP_X_TEST: 'yes',
      CONTENT_TYPE: 'application/json',
      CONTENT_LENGTH: '7',
      HTTPS: 'on',
      'wsgi.url_scheme': 'https',
      'custom.key': 42,
    })
    expect(environ['pulsar.cfg'].debug).toBe(true)
    expect(await environ['wsgi.input'].json()).toEqual({ k: 1 })
  })
})
