/** waitForBodyMiddleware and BufferedInput: the whole body read first, within the limit, for synchronous handlers. */
import { describe, expect, it } from 'vitest'

import {
  BufferedInput,
  type Environ,
  type StartResponse,
  WsgiHandler,
  waitForBodyMiddleware,
} from 'pulsar-ts'
import { inject, testWsgiEnviron } from 'pulsar-ts/testing'

import { serve } from '../helpers/listen.js'
import { transports } from '../helpers/transports.js'
import { RawClient, parseResponse } from '../helpers/raw.js'

const noStart: StartResponse = () => () => Promise.resolve()

/** A plain synchronous WSGI application that echoes the body it reads synchronously. */
function syncEcho(environ: Environ, startResponse: StartResponse) {
  const input = environ['wsgi.input']
  if (!(input instanceof BufferedInput)) throw new Error('the body was not waited for')
  const body = input.readSync()
  startResponse('200 OK', [
    ['Content-Type', 'text/plain'],
    ['X-Async', String(environ['wsgi.async'])],
  ])
  return [body]
}

const site = new WsgiHandler([waitForBodyMiddleware, syncEcho])

describe('waitForBodyMiddleware', () => {
  it('reads the body before a synchronous application runs, and removes wsgi.async', async () => {
    const res = await inject(site, { method: 'POST', body: 'hello body' })
    expect(res.status).toBe(200)
    expect(res.text).toBe('hello body')
    expect(res.headers.get('x-async')).toBe('undefined')
  })

  it('answers a request without a body without a promise', () => {
    const environ = testWsgiEnviron()
    expect(waitForBodyMiddleware(environ, noStart)).toBeUndefined()
    const input = environ['wsgi.input'] as BufferedInput
    expect(input.readSync().length).toBe(0)
    expect(input.done).toBe(true)
  })

  it('leaves a body that is already buffered alone', () => {
    const environ = testWsgiEnviron({ method: 'POST', body: 'x' })
    const original = environ['wsgi.input']
    delete environ['wsgi.async']
    expect(waitForBodyMiddleware(environ, noStart)).toBeUndefined()
    expect(environ['wsgi.input']).toBe(original)
  })

  it('answers 413 for a body over stream_buffer', async () => {
    const res = await inject(site, { method: 'POST', body: 'x'.repeat(100), stream_buffer: 10 })
    expect(res.status).toBe(413)
    expect(res.keepAlive).toBe(false)
  })

  it('sends 100 Continue over HTTP/1.1 once it reads the body', async () => {
    const { port } = await serve(site, { stream_buffer: 1000 })
    const client = await RawClient.connect(port)
    try {
      client.send('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n')
      await client.until((received) => received.includes('100 Continue'))
      client.send('hello')
      await client.until((received) => received.endsWith('hello'))
      const final = client.received.slice(client.received.indexOf('\r\n\r\n') + 4)
      expect(parseResponse(final).body).toBe('hello')
    } finally {
      client.close()
    }
  })
})

describe.each(transports)('waitForBodyMiddleware over $name', (t) => {
  it('reads a body of unknown length, and refuses one over the limit', async () => {
    const { url } = await t.serve(site, { stream_buffer: 1000 })
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('part one, '))
        controller.enqueue(new TextEncoder().encode('part two'))
        controller.close()
      },
    })
    const chunked = await t.fetch(url, {
      method: 'POST',
      body: stream,
      duplex: 'half',
    })
    expect(await chunked.text()).toBe('part one, part two')
    const tooLarge = await t.fetch(url, { method: 'POST', body: 'x'.repeat(2000) })
    expect(tooLarge.status).toBe(413)
  })
})

describe('BufferedInput', () => {
  it('reads synchronously and asynchronously from one position', async () => {
    const input = new BufferedInput(Buffer.from('line one\nline two\n{"a":1}'))
    expect(input.length).toBe(25)
    expect(input.bytesReceived).toBe(25)
    expect(input.readlineSync().toString()).toBe('line one\n')
    expect((await input.readline()).toString()).toBe('line two\n')
    expect(input.readSync(3).toString()).toBe('{"a')
    expect((await input.read(2)).toString()).toBe('":')
    expect(input.done).toBe(false)
    expect(input.textSync()).toBe('1}')
    expect(input.done).toBe(true)
    expect(input.readSync().length).toBe(0)
    expect(await input.text()).toBe('')
  })

  it('parses JSON, with a 400 for malformed JSON', async () => {
    expect(new BufferedInput(Buffer.from('{"a":[1]}')).jsonSync()).toEqual({ a: [1] })
    expect(await new BufferedInput(Buffer.from('[2]')).json()).toEqual([2])
    expect(() => new BufferedInput(Buffer.from('{')).jsonSync()).toThrow(
      expect.objectContaining({ status: 400 }),
    )
    await expect(new BufferedInput(Buffer.from('')).json()).rejects.toMatchObject({ status: 400 })
  })

  it('iterates the rest of the body', async () => {
    const input = new BufferedInput(Buffer.from('abcdef'))
    input.readSync(2)
    const chunks: string[] = []
    for await (const chunk of input) chunks.push(chunk.toString())
    expect(chunks).toEqual(['cdef'])
    for await (const chunk of input) chunks.push(chunk.toString())
    expect(chunks).toEqual(['cdef'])
  })

  it('serves asynchronous readers after the middleware too', async () => {
    const asyncApp = async (environ: Environ, startResponse: StartResponse) => {
      const data = (await environ['wsgi.input'].json()) as { n: number }
      startResponse('200 OK', [['Content-Type', 'application/json']])
      return [JSON.stringify({ twice: data.n * 2 })]
    }
    const res = await inject(new WsgiHandler([waitForBodyMiddleware, asyncApp]), {
      method: 'POST',
      body: '{"n":21}',
    })
    expect(res.json()).toEqual({ twice: 42 })
  })
})
