/**
 * The body loop over real sockets: promised chunks and async iterables in
 * order, close() exactly once, client aborts, backpressure, and errors
 * before and after the headers went out.
 */
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'

import type { Body, Environ, StartResponse } from 'pulsar-ts'

import { serve } from '../helpers/listen.js'
import { RawClient, parseResponse } from '../helpers/raw.js'
import { delay, eventually } from '../helpers/wait.js'

describe('body iteration', () => {
  it('sends promised chunks of a sync iterable in order', async () => {
    const { url } = await serve((_environ: Environ, startResponse: StartResponse) => {
      startResponse('200 OK', [['Content-Type', 'text/plain']])
      return [delay(30).then(() => 'a'), 'b', Promise.resolve(Buffer.from('c'))]
    })
    expect(await (await fetch(url)).text()).toBe('abc')
  })

  it('streams an async generator chunk by chunk as it yields', async () => {
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    const { port } = await serve((_environ: Environ, startResponse: StartResponse) => {
      startResponse('200 OK', [['Content-Type', 'text/plain']])
      return (async function* () {
        yield 'first'
        await released
        yield 'second'
      })()
    })
    const client = await RawClient.connect(port)
    client.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n')
    // the first chunk arrives while the generator waits: it was not held back
    await client.until((r) => r.includes('first'))
    release()
    await client.until((r) => r.endsWith('0\r\n\r\n'))
    expect(parseResponse(client.received).body).toBe('5\r\nfirst\r\n6\r\nsecond\r\n0\r\n\r\n')
    client.close()
  })

  it('sends a Node Readable returned by an async application', async () => {
    const { url } = await serve(async (_environ: Environ, startResponse: StartResponse) => {
      await delay(5)
      startResponse('200 OK', [])
      return Readable.from(['x', 'y', 'z'])
    })
    expect(await (await fetch(url)).text()).toBe('xyz')
  })

  it('calls close() exactly once on success and on error', async () => {
    let closed = 0
    const { url, log } = await serve((environ: Environ, startResponse: StartResponse) => {
      startResponse('200 OK', [])
      const fail = environ.PATH_INFO === '/fail'
      const body: Body = {
        *[Symbol.iterator]() {
          yield 'a'
          if (fail) throw new Error('broken body')
          yield 'b'
        },
        close: () => void closed++,
      }
      return body
    })
    expect(await (await fetch(url)).text()).toBe('ab')
    expect(closed).toBe(1)
    await fetch(`${url}/fail`)
      .then((res) => res.text())
      .catch(() => 'cut')
    await eventually(() => closed === 2)
    expect(log.errors().map((r) => r.err?.message)).toEqual(['broken body'])
  })

  it('turns an error before the first chunk into a 500 page with no details, logged once', async () => {
    const { url, log } = await serve((_environ: Environ, startResponse: StartResponse) => {
      startResponse('200 OK', [['X-Partial', 'yes']])
      return (async function* () {
        await delay(1)
        throw new Error('secret detail')
      })()
    })
    const res = await fetch(url)
    expect(res.status).toBe(500)
    expect(res.headers.get('x-partial')).toBeNull()
    const text = await res.text()
    expect(text).not.toContain('secret')
    expect(log.errors()).toHaveLength(1)
    expect(log.errors()[0]!.err!.stack).toContain('secret detail')
  })

  it('cuts the connection when the body fails after the headers went out', async () => {
    const { port, log } = await serve((_environ: Environ, startResponse: StartResponse) => {
      startResponse('200 OK', [])
      return (async function* () {
        yield 'partial'
        await delay(20)
        throw new Error('late failure')
      })()
    })
    const client = await RawClient.connect(port)
    client.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n')
    const received = await client.untilClosed()
    expect(received).toContain('partial')
    expect(received).not.toContain('0\r\n\r\n')
    expect(log.errors()).toHaveLength(1)
  })
})

describe('client abort', () => {
  it('stops the body and calls close() when the client goes away mid-response', async () => {
    let closed = 0
    let produced = 0
    let signalled = false
    let body: AsyncGenerator<string> | undefined
    const { port, log } = await serve((environ: Environ, startResponse: StartResponse) => {
      startResponse('200 OK', [])
      environ['pulsar.cache'].signal.addEventListener('abort', () => (signalled = true))
      body = (async function* () {
        for (;;) {
          produced++
          yield 'tick\n'
          await delay(10)
        }
      })()
      return Object.assign(body, { close: () => void closed++ })
    })
    const client = await RawClient.connect(port)
    client.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n')
    await client.until((r) => r.includes('tick'))
    client.close()
    await eventually(() => closed === 1 && signalled)
    const count = produced
    // the server ended the generator: a next step, queued after that, finds it done
    expect(await body!.next()).toEqual({ done: true, value: undefined })
    expect(produced).toBeLessThanOrEqual(count + 1)
    expect(closed).toBe(1)
    expect(log.errors()).toEqual([])
  })

  it('stops waiting for a chunk that never comes once the client is gone', async () => {
    let closed = 0
    const { port } = await serve((_environ: Environ, startResponse: StartResponse) => {
      startResponse('200 OK', [])
      const never = new Promise<string>(() => undefined)
      return Object.assign(['first', never], { close: () => void closed++ })
    })
    const client = await RawClient.connect(port)
    client.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n')
    await client.until((r) => r.includes('first'))
    client.close()
    await eventually(() => closed === 1)
  })
})

describe('backpressure', () => {
  it('does not buffer without bound for a client that does not read', async () => {
    let produced = 0
    let closed = 0
    const chunk = Buffer.alloc(64 * 1024, 'x')
    const { port } = await serve(
      (_environ: Environ, startResponse: StartResponse) => {
        startResponse('200 OK', [])
        const body = (function* () {
          for (let i = 0; i < 10_000; i++) {
            produced++
            yield chunk
          }
        })()
        return Object.assign(body, { close: () => void closed++ })
      },
      { send_timeout: 1 },
    )
    const client = await RawClient.connect(port)
    client.socket.pause()
    client.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n')
    // the server waits for the client until send_timeout, then drops it and closes the body
    await eventually(() => closed === 1)
    // socket buffers on both sides hold a few MiB at most; 10 000 chunks would be 640 MiB
    expect(produced).toBeLessThan(200)
    client.close()
  })

  it('drops a client that stops reading for longer than send_timeout', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x')
    let closed = 0
    const { port } = await serve(
      (_environ: Environ, startResponse: StartResponse) => {
        startResponse('200 OK', [])
        const body = (function* () {
          for (;;) yield chunk
        })()
        return Object.assign(body, { close: () => void closed++ })
      },
      { send_timeout: 0.3 },
    )
    const client = await RawClient.connect(port)
    client.socket.pause()
    client.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n')
    await eventually(() => closed === 1)
    client.close()
  })

  it('write() resolves once the socket drained', async () => {
    const { url } = await serve(async (_environ: Environ, startResponse: StartResponse) => {
      const write = startResponse('200 OK', [])
      for (let i = 0; i < 50; i++) await write(Buffer.alloc(64 * 1024, 'y'))
      return []
    })
    const body = await (await fetch(url)).arrayBuffer()
    expect(body.byteLength).toBe(50 * 64 * 1024)
  })
})
