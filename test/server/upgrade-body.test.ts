/**
 * A request that asks for a protocol upgrade no one takes over is served by
 * the application like any other, body included: node:http leaves that body
 * undecoded, and the gateway frames it (Content-Length) or decodes it
 * (chunked) itself.
 */
import { describe, expect, it } from 'vitest'

import { type Environ, type StartResponse } from 'pulsar-ts'

import { serve } from '../helpers/listen.js'
import { RawClient, hasWholeResponse, parseResponse, rawUntil } from '../helpers/raw.js'

async function echo(environ: Environ, startResponse: StartResponse): Promise<Buffer[]> {
  const body = await environ['wsgi.input'].read()
  startResponse('200 OK', [['Content-Type', 'application/octet-stream']])
  return [body]
}

const head = (framing: string) =>
  `POST /echo HTTP/1.1\r\nHost: test\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n${framing}\r\n`

async function send(port: number, data: string) {
  return parseResponse(await rawUntil(port, data, hasWholeResponse))
}

describe('the body of an upgrade request no protocol takes', () => {
  it('reaches the application framed by its Content-Length', async () => {
    const { port } = await serve(echo)
    const response = await send(port, head('Content-Length: 11\r\n') + 'hello world')
    expect(response.status).toBe(200)
    expect(response.body).toBe('hello world')
  })

  it('reaches the application when it arrives in pieces after the head', async () => {
    const { port } = await serve(echo)
    const client = await RawClient.connect(port)
    try {
      client.send(head('Content-Length: 10\r\n') + 'abc')
      // the application is waiting on the body: the rest comes later, in two writes
      await new Promise((resolve) => setImmediate(resolve))
      client.send('defg')
      client.send('hij')
      const response = parseResponse(await client.until(hasWholeResponse))
      expect(response.body).toBe('abcdefghij')
    } finally {
      client.close()
    }
  })

  it('reaches the application decoded from its chunked coding, extensions and trailers included', async () => {
    const { port } = await serve(echo)
    const chunked = '5;name=value\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: yes\r\n\r\n'
    const response = await send(port, head('Transfer-Encoding: chunked\r\n') + chunked)
    expect(response.status).toBe(200)
    expect(response.body).toBe('hello world')
  })

  it.each([
    ['a size that is not hex', 'zz\r\nhello\r\n0\r\n\r\n'],
    ['a chunk longer than its size', '2\r\nhello\r\n0\r\n\r\n'],
    ['a size line that never ends', '5'.repeat(2000)],
    ['a negative size', '-5\r\nhello\r\n0\r\n\r\n'],
  ])('answers a chunked body with %s with 400', async (_name, chunked) => {
    const { port, log } = await serve(echo)
    const response = await send(port, head('Transfer-Encoding: chunked\r\n') + chunked)
    expect(response.status).toBe(400)
    expect(log.errors()).toEqual([])
  })

  it('keeps the stream_buffer limit: 413', async () => {
    const { port } = await serve(echo, { stream_buffer: 8 })
    expect((await send(port, head('Content-Length: 11\r\n') + 'hello world')).status).toBe(413)
    const chunked = '6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n'
    expect((await send(port, head('Transfer-Encoding: chunked\r\n') + chunked)).status).toBe(413)
  })
})
