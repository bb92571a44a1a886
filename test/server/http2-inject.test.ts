/**
 * `inject()` with `httpVersion: '2'` answers as the gateway does over a
 * real HTTP/2 stream: the same environ protocol, head and body.
 */
import { describe, expect, it } from 'vitest'

import type { Environ, StartResponse } from 'pulsar-ts'
import { inject } from 'pulsar-ts/testing'

import { h2connect, h2request } from '../helpers/h2.js'
import { http2 } from '../helpers/transports.js'

/** Streams its protocol and whether it is chunked, setting headers HTTP/2 forbids. */
async function app(environ: Environ, startResponse: StartResponse) {
  const write = startResponse('201 Created', [
    ['Content-Type', 'text/plain'],
    ['X-Thing', 'yes'],
    ['Connection', 'close'],
    ['Transfer-Encoding', 'chunked'],
  ])
  await write(`${environ.SERVER_PROTOCOL} `)
  return [`chunked=${String(environ['pulsar.cache'].isChunked())}`]
}

/** The header names of a response but the date, sorted. */
const names = (headers: Iterable<[string, string]> | string[]) =>
  [...headers]
    .map((entry) => (typeof entry === 'string' ? entry : entry[0]))
    .filter((name) => name !== 'date' && !name.startsWith(':'))
    .sort()

describe("inject's httpVersion", () => {
  it("answers with httpVersion '2' what an HTTP/2 client gets from the server", async () => {
    const { url } = await http2.serve(app)
    const real = await h2request(h2connect(url), { ':path': '/' })
    const injected = await inject(app, { httpVersion: '2' })

    expect(real.status).toBe(201)
    expect(real.text).toBe('HTTP/2 chunked=false')
    expect(names(Object.keys(real.headers))).toEqual(['content-type', 'server', 'x-thing'])

    expect(injected.status).toBe(real.status)
    expect(injected.text).toBe(real.text)
    // HTTP/2 sends lower-case names and no reason phrase
    expect(names(injected.headers)).toEqual(names(Object.keys(real.headers)))
    expect(Date.parse(injected.headers.get('date')!)).not.toBeNaN()
    expect(injected.reason).toBe('')
    expect(injected.keepAlive).toBe(true)
  })

  it('defaults to HTTP/1.1', async () => {
    const injected = await inject(app)
    expect(injected.text).toBe('HTTP/1.1 chunked=true')
    expect(injected.reason).toBe('Created')
    expect(names(injected.headers)).toEqual(['Content-Type', 'Date', 'Server', 'X-Thing'])
  })

  it('refuses a made-up HTTP/2 request with a connection-specific header, as node:http2 does', async () => {
    for (const [name, value] of [
      ['Connection', 'keep-alive'],
      ['Transfer-Encoding', 'chunked'],
      ['Upgrade', 'websocket'],
      ['TE', 'gzip'],
    ])
      await expect(inject(app, { httpVersion: '2', headers: { [name!]: value! } })).rejects.toThrow(
        `connection-specific header ${name}`,
      )
    expect((await inject(app, { httpVersion: '2', headers: { TE: 'trailers' } })).status).toBe(201)
  })
})
