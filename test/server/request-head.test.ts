/**
 * The request head a client sends: the Host it names and the scheme it may
 * claim. Nothing a client writes in a head is a 500, and only the
 * connection (or a trusted proxy) says whether it is secure.
 */
import { describe, expect, it } from 'vitest'

import { type Environ, type StartResponse, WsgiRequest } from 'pulsar-ts'

import { serve } from '../helpers/listen.js'
import { hasWholeResponse, parseResponse, rawUntil } from '../helpers/raw.js'

/** Answers what the request says of itself: its absolute URL, scheme and host. */
function describeRequest(environ: Environ, startResponse: StartResponse): string[] {
  const request = new WsgiRequest(environ)
  startResponse('200 OK', [['Content-Type', 'application/json']])
  return [
    JSON.stringify({
      url: request.absoluteUri(),
      redirect: request.absoluteUri('/elsewhere'),
      scheme: environ['wsgi.url_scheme'],
      https: environ.HTTPS ?? null,
      secure: request.isSecure,
      host: environ.HTTP_HOST ?? null,
    }),
  ]
}

async function ask(port: number, head: string) {
  const received = await rawUntil(port, head + '\r\n', hasWholeResponse)
  return parseResponse(received)
}

const withHost = (host: string) => `GET /p?q=1 HTTP/1.1\r\nHost: ${host}\r\n`

describe('the Host header', () => {
  it.each([
    'a b',
    '[::1',
    '::1',
    '[::g]',
    'x:99999',
    'x:1:2',
    'evil.example/path?x',
    'evil.example?x',
    'evil.example#x',
    'user@evil.example',
    'a%20b',
    'a\\b',
    'exa"mple',
    'a<b>',
  ])('%j is a 400, not a 500', async (host) => {
    const { port, log } = await serve(describeRequest)
    const response = await ask(port, withHost(host))
    expect(response.status).toBe(400)
    expect(response.body).toMatch(/Host/)
    expect(log.errors()).toEqual([])
  })

  it.each([
    ['example.com', 'http://example.com/p?q=1'],
    ['example.com:8080', 'http://example.com:8080/p?q=1'],
    ['127.0.0.1:80', 'http://127.0.0.1/p?q=1'],
    ['[::1]:8080', 'http://[::1]:8080/p?q=1'],
    ['EXAMPLE.com', 'http://example.com/p?q=1'],
  ])('%j names the host of absolute URLs', async (host, url) => {
    const { port } = await serve(describeRequest)
    const response = await ask(port, withHost(host))
    expect(response.status).toBe(200)
    expect(JSON.parse(response.body)).toMatchObject({ url, host })
  })

  it('is a 400 when a name of valid characters is no host a URL can hold', async () => {
    const { port, log } = await serve(describeRequest)
    const response = await ask(port, withHost('xn--'))
    expect(response.status).toBe(400)
    expect(log.errors()).toEqual([])
  })
})

describe('an absolute-form request target', () => {
  it('does not make a plain connection secure, and its authority names the host', async () => {
    const { port } = await serve(describeRequest)
    const response = await ask(port, 'GET https://target.example/p?q=1 HTTP/1.1\r\nHost: other\r\n')
    expect(response.status).toBe(200)
    expect(JSON.parse(response.body)).toEqual({
      url: 'http://target.example/p?q=1',
      redirect: 'http://target.example/elsewhere',
      scheme: 'http',
      https: null,
      secure: false,
      host: 'target.example',
    })
  })

  it.each([
    'GET ftp://target.example/ HTTP/1.1',
    'GET http:///nohost HTTP/1.1',
    'GET http://user:pw@target.example/ HTTP/1.1',
    'GET http://target.example:99999/ HTTP/1.1',
    'GET http://[::1/ HTTP/1.1',
  ])('%j is a 400', async (line) => {
    const { port, log } = await serve(describeRequest)
    const response = await ask(port, `${line}\r\nHost: other\r\n`)
    expect(response.status).toBe(400)
    expect(log.errors()).toEqual([])
  })
})
