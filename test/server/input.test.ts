/**
 * wsgi.input: the reader's API, the stream_buffer limit (declared and
 * chunked), and 100-continue sent lazily or refused.
 */
import { describe, expect, it } from 'vitest'

import type { Environ, StartResponse } from 'pulsar-ts'
import { inject, testWsgiEnviron } from 'pulsar-ts/testing'

import { serve } from '../helpers/listen.js'
import { RawClient, parseResponse, rawExchange, statuses } from '../helpers/raw.js'

/** Echoes the body it reads, with its length in a header. */
async function echo(environ: Environ, startResponse: StartResponse) {
  const body = await environ['wsgi.input'].read()
  startResponse('200 OK', [['X-Length', String(body.length)]])
  return [body]
}

describe('WsgiInput', () => {
  it('reads sizes, lines, the rest, and ends empty', async () => {
    const input = testWsgiEnviron({ method: 'POST', body: 'line one\nline two\nrest' })[
      'wsgi.input'
    ]
    expect((await input.read(4)).toString()).toBe('line')
    expect((await input.readline()).toString()).toBe(' one\n')
    expect((await input.readline()).toString()).toBe('line two\n')
    expect(input.done).toBe(false)
    expect((await input.read()).toString()).toBe('rest')
    expect((await input.read()).length).toBe(0)
    expect(input.done).toBe(true)
    expect(input.bytesReceived).toBe(22)
  })

  it('iterates, decodes text and parses JSON', async () => {
    const chunks: string[] = []
    for await (const chunk of testWsgiEnviron({ method: 'POST', body: 'abc' })['wsgi.input'])
      chunks.push(chunk.toString())
    expect(chunks.join('')).toBe('abc')
    expect(await testWsgiEnviron({ method: 'POST', body: 'é' })['wsgi.input'].text()).toBe('é')
    expect(
      await testWsgiEnviron({ method: 'POST', body: '{"a":[1]}' })['wsgi.input'].json(),
    ).toEqual({ a: [1] })
  })

  it('answers malformed or empty JSON with 400', async () => {
    const app = async (environ: Environ, startResponse: StartResponse) => {
      await environ['wsgi.input'].json()
      startResponse('200 OK', [])
      return []
    }
    const bad = await inject(app, {
      method: 'POST',
      body: '{"a":',
      headers: { Accept: 'application/json' },
    })
    expect(bad.status).toBe(400)
    expect((bad.json() as { message: string }).message).toMatch(/^Invalid JSON body/)
    const empty = await inject(app, { method: 'POST', body: '  ' })
    expect(empty.status).toBe(400)
    expect(empty.text).toContain('Empty JSON body')
  })
})

describe('the body limit (stream_buffer)', () => {
  it('answers 413 for a declared Content-Length over the limit without reading the body', async () => {
    let received = -1
    const { port } = await serve(
      async (environ: Environ, startResponse: StartResponse) => {
        try {
          await environ['wsgi.input'].read()
        } finally {
          received = environ['wsgi.input'].bytesReceived
        }
        startResponse('200 OK', [])
        return []
      },
      { stream_buffer: 1000 },
    )
    const client = await RawClient.connect(port)
    client.send('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n' + 'x'.repeat(100))
    const answer = await client.untilClosed()
    expect(statuses(answer)).toEqual([413])
    expect(parseResponse(answer).headers.connection).toBe('close')
    expect(received).toBe(0)
    client.close()
  })

  it('answers 413 as soon as a chunked body crosses the limit', async () => {
    const { port } = await serve(echo, { stream_buffer: 1000 })
    const client = await RawClient.connect(port)
    client.send('POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n')
    const chunk = `${(600).toString(16)}\r\n${'x'.repeat(600)}\r\n`
    client.send(chunk).send(chunk)
    // the client never finishes its body, yet the answer comes and the connection closes
    const answer = await client.untilClosed()
    expect(statuses(answer)).toEqual([413])
    client.close()
  })

  it('accepts a body at the limit', async () => {
    const { url } = await serve(echo, { stream_buffer: 1000 })
    const res = await fetch(url, { method: 'POST', body: 'x'.repeat(1000) })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-length')).toBe('1000')
  })

  it('closes the connection after answering without reading a large body', async () => {
    const { port } = await serve((_environ: Environ, startResponse: StartResponse) => {
      startResponse('200 OK', [])
      return ['ignored']
    })
    const client = await RawClient.connect(port)
    client.send('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n')
    const answer = await client.untilClosed()
    expect(parseResponse(answer).headers.connection).toBe('close')
    expect(parseResponse(answer).body).toBe('ignored')
    client.close()
  })

  it('keeps the connection for a small unread body', async () => {
    const { port } = await serve((_environ: Environ, startResponse: StartResponse) => {
      startResponse('200 OK', [])
      return ['ignored']
    })
    const client = await RawClient.connect(port)
    const post = 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello'
    client.send(post + post)
    await client.until((r) => statuses(r).length === 2)
    expect(client.closed).toBe(false)
    client.close()
  })
})

describe('Expect: 100-continue', () => {
  const head = 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n'

  it('sends 100 Continue only when the application reads the body', async () => {
    const { port } = await serve(echo)
    const client = await RawClient.connect(port)
    client.send(head)
    await client.until((r) => r.includes('100 Continue'))
    client.send('hello')
    await client.until((r) => r.endsWith('hello'))
    expect(statuses(client.received)).toEqual([100, 200])
    client.close()
  })

  it('never asks for a body the application does not read', async () => {
    const { port } = await serve((_environ: Environ, startResponse: StartResponse) => {
      startResponse('401 Unauthorized', [])
      return ['no']
    })
    const client = await RawClient.connect(port)
    client.send(head)
    await client.until((r) => r.endsWith('no'))
    expect(statuses(client.received)).toEqual([401])
    client.close()
  })

  it('answers 417 when the application refuses it', async () => {
    const { port } = await serve(async (environ: Environ, startResponse: StartResponse) => {
      environ['wsgi.input'].fail()
      startResponse('200 OK', [])
      return []
    })
    const answer = await rawExchange(
      port,
      head.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n'),
    )
    expect(statuses(answer)).toEqual([417])
  })

  it('answers 413 instead of 100 when the declared body is over the limit', async () => {
    const { port } = await serve(echo, { stream_buffer: 2 })
    const answer = await rawExchange(port, head)
    expect(statuses(answer)).toEqual([413])
  })
})

describe('reading the whole body at once', () => {
  it('leaves nothing for a second read, a readline or an iteration, however they overlap', async () => {
    const environ = testWsgiEnviron({ method: 'POST', body: 'line one\nline two' })
    const input = environ['wsgi.input']
    const [all, again, line] = await Promise.all([input.read(), input.read(), input.readline()])
    expect(all.toString()).toBe('line one\nline two')
    expect(again.length).toBe(0)
    expect(line.length).toBe(0)
    const rest: Buffer[] = []
    for await (const chunk of input) rest.push(chunk)
    expect(rest).toEqual([])
    expect(input.done).toBe(true)
    expect(input.bytesReceived).toBe(17)
  })

  it('refuses a body over the limit and keeps refusing it', async () => {
    const input = testWsgiEnviron({ method: 'POST', body: 'x'.repeat(50), stream_buffer: 10 })[
      'wsgi.input'
    ]
    await expect(input.read()).rejects.toMatchObject({ status: 413 })
    await expect(input.read()).rejects.toMatchObject({ status: 413 })
    expect(input.tooLarge).toBe(true)
  })
})
