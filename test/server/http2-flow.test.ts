/**
 * Backpressure over HTTP/2: `write()` resolves when the stream's
 * flow-control window lets more through, so a client that stops reading
 * one stream holds neither the server's memory nor its other streams; a
 * client that resets a stream stops its body.
 */
import { describe, expect, it } from 'vitest'

import type { Environ, StartResponse } from 'pulsar-ts'

import { h2connect, h2request } from '../helpers/h2.js'
import { http2 } from '../helpers/transports.js'
import { eventually } from '../helpers/wait.js'

const CHUNK = Buffer.alloc(16 * 1024, 'x')
const WANTED = 8 * 1024 * 1024

describe('HTTP/2 flow control', () => {
  it('holds the writer of a stream its client does not read, and serves the other streams', async () => {
    let produced = 0
    let waiting = false
    let finished = false
    const { url } = await http2.serve(async (environ: Environ, startResponse: StartResponse) => {
      if (environ.PATH_INFO !== '/big') {
        startResponse('200 OK', [])
        return ['small']
      }
      const write = startResponse('200 OK', [['Content-Type', 'application/octet-stream']])
      while (produced < WANTED) {
        waiting = true
        await write(CHUNK)
        waiting = false
        produced += CHUNK.length
      }
      finished = true
      return []
    })
    // a 16 KiB window per stream: the server may have about that much in flight to it
    const session = h2connect(url, { settings: { initialWindowSize: 16 * 1024 } })
    const big = session.request({ ':path': '/big' })
    let received = 0
    big.on('data', (chunk: Buffer) => (received += chunk.length))
    big.pause()
    await new Promise((resolve) => big.once('response', resolve))
    await eventually(() => waiting && produced > 0, 10_000, 'the writer waiting on the window')
    // the other streams of the session are not held back by the stalled one
    for (let i = 0; i < 3; i++)
      expect((await h2request(session, { ':path': '/' })).text).toBe('small')
    expect(waiting).toBe(true)
    // the window, node:http2's stream buffer and a chunk in flight: nowhere near the 8 MiB wanted
    expect(produced).toBeLessThan(256 * 1024)
    big.resume()
    await new Promise((resolve) => big.once('end', resolve))
    expect([received, finished]).toEqual([WANTED, true])
  })

  it('stops the body and calls its close() when the client resets the stream', async () => {
    let closed = 0
    let aborted = false
    const { url } = await http2.serve((environ: Environ, startResponse: StartResponse) => {
      startResponse('200 OK', [])
      if (environ.PATH_INFO !== '/endless') return ['fine']
      const signal = environ['pulsar.cache'].signal
      signal.addEventListener('abort', () => (aborted = true))
      return {
        *[Symbol.iterator]() {
          for (;;) yield CHUNK
        },
        close: () => void closed++,
      }
    })
    const session = h2connect(url)
    const stream = session.request({ ':path': '/endless' })
    stream.on('error', () => undefined)
    await new Promise((resolve) => stream.once('data', resolve))
    stream.close(0x8)
    await eventually(() => closed > 0 && aborted, 10_000, 'close() after the reset')
    expect(closed).toBe(1)
    expect((await h2request(session, { ':path': '/' })).text).toBe('fine')
  })

  it('aborts the signal of a request whose client resets the stream while the application waits', async () => {
    let reason: unknown
    let waiting = false
    const { url } = await http2.serve(async (environ: Environ, startResponse: StartResponse) => {
      const signal = environ['pulsar.cache'].signal
      waiting = true
      await new Promise((resolve) => signal.addEventListener('abort', resolve))
      reason = signal.reason
      startResponse('200 OK', [])
      return ['too late']
    })
    const stream = h2connect(url).request({ ':method': 'POST', ':path': '/' }, { endStream: false })
    stream.on('error', () => undefined)
    stream.end('a body, all of it')
    await eventually(() => waiting, 10_000, 'the application waiting')
    stream.close(0x8)
    await eventually(() => reason !== undefined, 10_000, 'the abort')
    expect((reason as Error).name).toBe('ClientDisconnected')
  })
})
