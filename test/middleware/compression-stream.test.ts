/**
 * Streamed bodies through compression: a flush per chunk, backpressure,
 * close() reaching the application's body, failures; in process and over
 * real sockets (node:http reading incrementally, and Node's fetch).
 */
import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { Readable } from 'node:stream'
import { brotliDecompressSync, constants, gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'

import { type Body, type Chunk, WsgiHandler, WsgiResponse, compression } from 'pulsar-ts'
import { inject, testWsgiEnviron } from 'pulsar-ts/testing'

import { serve } from '../helpers/listen.js'
import { capturingLogger } from '../helpers/logger.js'
import { RawClient } from '../helpers/raw.js'
import { transports } from '../helpers/transports.js'
import { delay, eventually } from '../helpers/wait.js'

const GZIP = { 'Accept-Encoding': 'gzip' }

/** What a prefix of a gzip stream decodes to, without waiting for its end. */
function gunzipPrefix(data: Buffer): string {
  return gunzipSync(data, { finishFlush: constants.Z_SYNC_FLUSH }).toString()
}

/** A promise and the function that resolves it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { opened, open }
}

/** An async generator body that counts how often it was asked for a chunk. */
function counted(chunks: Chunk[], before?: (index: number) => Promise<void>) {
  const state = { pulls: 0, closed: 0 }
  const generator = (async function* () {
    for (let i = 0; i < chunks.length; i++) {
      state.pulls++
      await before?.(i)
      yield chunks[i]!
    }
  })()
  const body = Object.assign(generator, { close: () => void state.closed++ })
  return { body, state }
}

/** Runs compression on a streamed response in process and returns its compressed iterator. */
function compressed(body: Body, headers: Record<string, string> = GZIP) {
  const response = new WsgiResponse(200, body, undefined, 'text/plain')
  const environ = testWsgiEnviron({ headers })
  expect(compression().handle(environ, response)).toBeUndefined()
  expect(response.headers.get('content-encoding')).toBe(headers['Accept-Encoding'])
  const content = response.content as AsyncIterable<Buffer>
  return { response, iterator: content[Symbol.asyncIterator]() }
}

describe('compression of streamed bodies, in process', () => {
  it('flushes each chunk before asking for the next one', async () => {
    const { body, state } = counted(['first ', 'second ', 'third'])
    const { iterator } = compressed(body)
    let received = Buffer.alloc(0)
    const expected = ['first ', 'first second ', 'first second third']
    for (const text of expected) {
      const step = await iterator.next()
      expect(step.done).toBe(false)
      received = Buffer.concat([received, step.value as Buffer])
      // the chunk decodes on its own, and the app was not asked for the next one yet
      expect(gunzipPrefix(received)).toBe(text)
      expect(state.pulls).toBe(expected.indexOf(text) + 1)
    }
    let last = await iterator.next()
    while (!last.done) {
      received = Buffer.concat([received, last.value])
      last = await iterator.next()
    }
    expect(gunzipSync(received).toString()).toBe('first second third')
  })

  it('streams brotli with a flush per chunk too', async () => {
    const { body } = counted(['alpha ', 'beta'])
    const { iterator } = compressed(body, { 'Accept-Encoding': 'br' })
    const first = (await iterator.next()).value as Buffer
    const decoded = brotliDecompressSync(first, {
      finishFlush: constants.BROTLI_OPERATION_FLUSH,
    }).toString()
    expect(decoded).toBe('alpha ')
  })

  it('close() reaches the application body once, and stops the stream', async () => {
    const { body, state } = counted(['a', 'b', 'c'])
    const { response, iterator } = compressed(body)
    await iterator.next()
    response.close()
    response.close()
    expect(state.closed).toBe(1)
    expect((await iterator.next()).done).toBe(true)
    expect(state.pulls).toBe(2)
  })

  it('sends sync iterables of promised chunks, Readables and large chunks', async () => {
    const big = randomBytes(1 << 20) // incompressible: more output than zlib's buffers hold
    const bodies: [Body, Buffer][] = [
      [[Promise.resolve('x'), 'y', delay(5).then(() => 'z')], Buffer.from('xyz')],
      [Readable.from([Buffer.from('r1'), Buffer.from('r2')]), Buffer.from('r1r2')],
      [
        (function* () {
          yield 'head'
          yield big
          yield ''
        })(),
        Buffer.concat([Buffer.from('head'), big]),
      ],
    ]
    for (const [body, expected] of bodies) {
      const res = await inject(
        new WsgiHandler(
          [() => new WsgiResponse(200, body, undefined, 'text/plain')],
          [compression()],
        ),
        { headers: GZIP },
      )
      expect(res.headers.get('content-encoding')).toBe('gzip')
      expect(res.headers.has('content-length')).toBe(false)
      expect(gunzipSync(res.body).equals(expected)).toBe(true)
    }
  })

  it('cuts the connection when the body fails after the headers went out, and closes it', async () => {
    let closed = 0
    const log = capturingLogger()
    const failing = Object.assign(
      (async function* () {
        yield 'some text'
        throw new Error('broken source')
      })(),
      { close: () => void closed++ },
    )
    const res = await inject(
      new WsgiHandler(
        [() => new WsgiResponse(200, failing, undefined, 'text/plain')],
        [compression()],
      ),
      { headers: GZIP, logger: log.logger },
    )
    expect(res.destroyed).toBe(true)
    expect(gunzipPrefix(res.body)).toBe('some text')
    expect(closed).toBe(1)
    expect(log.errors().map((record) => record.err?.message)).toEqual(['broken source'])
  })

  it('answers an error page when the body fails before its first chunk', async () => {
    const failing = (async function* () {
      await delay(1)
      throw Object.assign(new Error('nope'), { status: 503 })
      yield 'never'
    })()
    const res = await inject(
      new WsgiHandler(
        [() => new WsgiResponse(200, failing, undefined, 'text/plain')],
        [compression()],
      ),
      { headers: { ...GZIP, Accept: 'text/plain' }, logger: capturingLogger().logger },
    )
    expect(res.status).toBe(503)
    expect(res.text).toBe('Service Unavailable\n')
  })
})

describe('compression of streamed bodies, over a socket', () => {
  it('delivers the first chunk, compressed, before the app produces the last', async () => {
    const released = gate()
    const produced: string[] = []
    const { body, state } = counted(['event: one\n\n', 'event: two\n\n'], async (index) => {
      if (index === 1) await released.opened
      produced.push(String(index))
    })
    const { url, log } = await serve(
      new WsgiHandler(
        [() => new WsgiResponse(200, body, undefined, 'text/plain')],
        [compression()],
      ),
    )
    const received: Buffer[] = []
    let firstSeen = gate()
    const done = new Promise<{ headers: Record<string, unknown> }>((resolve, reject) => {
      const req = request(url, { headers: GZIP, agent: false }, (res) => {
        res.on('data', (data: Buffer) => {
          received.push(data)
          if (gunzipPrefix(Buffer.concat(received)).includes('event: one')) firstSeen.open()
        })
        res.on('end', () => resolve({ headers: res.headers }))
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end()
    })
    await firstSeen.opened
    // the first event reached the client while the app still waits to produce the second
    expect(produced).toEqual(['0'])
    expect(gunzipPrefix(Buffer.concat(received))).toBe('event: one\n\n')
    released.open()
    firstSeen = gate()
    const { headers } = await done
    expect(headers['content-encoding']).toBe('gzip')
    expect(headers['transfer-encoding']).toBe('chunked')
    expect(headers.vary).toBe('Accept-Encoding')
    expect(gunzipSync(Buffer.concat(received)).toString()).toBe('event: one\n\nevent: two\n\n')
    expect(state.closed).toBe(1)
    expect(log.errors()).toEqual([])
  })

  it('stops asking the app for chunks while the client does not read', async () => {
    const state = { pulls: 0, closed: 0 }
    const endless = Object.assign(
      (async function* () {
        // incompressible chunks, so what is pending on the socket grows as fast as the app yields
        for (;;) {
          state.pulls++
          yield randomBytes(64 * 1024)
        }
      })(),
      { close: () => void state.closed++ },
    )
    const { port } = await serve(
      new WsgiHandler(
        [() => new WsgiResponse(200, endless, undefined, 'text/plain')],
        [compression()],
      ),
      { send_timeout: 1 },
    )
    const client = await RawClient.connect(port)
    try {
      client.socket.pause() // reads nothing: the socket buffers fill up, then the server waits
      client.send('GET / HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n')
      // the server waited for the client until send_timeout, then dropped it; an app
      // drained without bound would never have let it wait
      await eventually(() => state.closed === 1)
      const pulls = state.pulls
      // a few MiB at most sit in the socket buffers
      expect(pulls).toBeLessThan(400)
      // the generator was ended: a next step, queued after that, finds it done
      expect(await endless.next()).toEqual({ done: true, value: undefined })
      expect(state.pulls).toBe(pulls)
    } finally {
      client.close()
    }
  })

  it('closes the app body once when the client goes away mid-stream', async () => {
    const never = gate()
    const { body, state } = counted(['x'.repeat(100), 'y'], async (index) => {
      if (index === 1) await never.opened
    })
    const { url, log } = await serve(
      new WsgiHandler(
        [() => new WsgiResponse(200, body, undefined, 'text/plain')],
        [compression()],
      ),
    )
    await new Promise<void>((resolve, reject) => {
      const req = request(url, { headers: GZIP, agent: false }, (res) => {
        res.once('data', () => {
          req.destroy()
          resolve()
        })
      })
      req.on('error', reject)
      req.end()
    })
    await eventually(() => state.closed === 1)
    never.open()
    // once the gate opens the generator ends: a next step, queued after that, finds it done
    expect(await body.next()).toEqual({ done: true, value: undefined })
    expect(state.closed).toBe(1)
    expect(log.errors()).toEqual([])
  })
})

describe.each(transports)('compressed server-sent events over $name', (t) => {
  it('lets fetch read server-sent events one by one when the filter allows them', async () => {
    const released = gate()
    const { body } = counted(['data: 1\n\n', 'data: 2\n\n'], async (index) => {
      if (index === 1) await released.opened
    })
    const { url } = await t.serve(
      new WsgiHandler(
        [() => new WsgiResponse(200, body, { 'Cache-Control': 'no-cache' }, 'text/event-stream')],
        [compression({ filter: () => true })],
      ),
    )
    const res = await t.fetch(url, { headers: { 'Accept-Encoding': 'br' } })
    expect(res.headers.get('content-encoding')).toBe('br')
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let text = ''
    while (!text.includes('data: 1\n\n')) {
      const { value, done } = await reader.read()
      expect(done).toBe(false)
      text += decoder.decode(value as Uint8Array, { stream: true })
    }
    expect(text).toBe('data: 1\n\n')
    released.open()
    for (let step = await reader.read(); !step.done; step = await reader.read())
      text += decoder.decode(step.value as Uint8Array, { stream: true })
    expect(text).toBe('data: 1\n\ndata: 2\n\n')
  })
})
