/**
 * Frame sequences node:http2's client never sends, written raw over
 * 127.0.0.1 at a server in a process of its own (h2c, `http2_flood_limit`
 * 50): streams reset in the packet that opened them, by the client or by
 * node:http2 for a protocol error. When that packet is the connection's
 * first, node:http2 emits such a stream once it is already destroyed: the
 * server must not fall over it, must count a reset toward the flood limit,
 * and must not count the stream as open forever.
 */
import { describe, expect, it } from 'vitest'
import { constants } from 'node:http2'

import type { Environ, StartResponse } from 'pulsar-ts'

import { Flag, FrameType, frame, rawH2, requestHeaders, rstStream } from '../helpers/h2-frames.js'
import { serve } from '../helpers/listen.js'
import { h2FloodServer } from '../helpers/h2-flood-server.js'
import { eventually } from '../helpers/wait.js'

const { NGHTTP2_CANCEL, NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_NO_ERROR, NGHTTP2_PROTOCOL_ERROR } =
  constants
const LIMIT = 50

const frameServer = (...more: string[]) =>
  h2FloodServer(['--http2-flood-limit', String(LIMIT), ...more])

const GET = { ':method': 'GET', ':scheme': 'http', ':authority': '127.0.0.1', ':path': '/' }
const POST = { ...GET, ':method': 'POST' }

describe('HTTP/2 streams gone before they are served', () => {
  it('survives HEADERS and RST_STREAM in one packet, and counts the reset toward the flood limit', async () => {
    const { port, alive, server } = await frameServer()
    const one = await rawH2(
      port,
      Buffer.concat([requestHeaders(1, GET), rstStream(1, NGHTTP2_CANCEL)]),
    )
    // the session goes on: the next stream is answered
    one.socket.write(requestHeaders(3, GET))
    await one.until((session) => session.responses.includes(3))
    expect(one.responses).toEqual([3])
    expect(await alive()).toBe(true)

    // the rapid reset attack as clients send it: each stream reset in its own packet
    const packets = Array.from({ length: 4 * LIMIT }, (_, i) =>
      Buffer.concat([requestHeaders(2 * i + 1, GET), rstStream(2 * i + 1, NGHTTP2_CANCEL)]),
    )
    const flood = await rawH2(port, Buffer.concat(packets))
    await flood.closed
    expect(flood.goaway).toBe(NGHTTP2_ENHANCE_YOUR_CALM)
    expect(await alive()).toBe(true)
    expect(server.stdout()).toMatch(/flooding the server/)
  })

  it('resets a stream whose DATA runs past its content-length, in the packet that opened it, and the session goes on', async () => {
    const { port, alive } = await frameServer()
    const session = await rawH2(
      port,
      Buffer.concat([
        requestHeaders(1, { ...POST, 'content-length': '3' }, true),
        frame(FrameType.DATA, Flag.END_STREAM, 1, Buffer.from('abcdef')),
      ]),
    )
    session.socket.write(requestHeaders(3, GET))
    await session.until((s) => s.responses.includes(3))
    expect(session.resets).toContainEqual([1, NGHTTP2_PROTOCOL_ERROR])
    expect(session.responses).toEqual([3])
    expect(await alive()).toBe(true)
  })

  it('still closes the session as idle after a stream reset in its opening packet', async () => {
    const { port } = await frameServer('--http-keep-alive', '1')
    const session = await rawH2(
      port,
      Buffer.concat([
        requestHeaders(1, GET),
        rstStream(1, NGHTTP2_CANCEL),
        requestHeaders(3, POST, true),
        frame(FrameType.DATA, Flag.END_STREAM, 3, Buffer.from('x')),
        rstStream(3, NGHTTP2_CANCEL),
      ]),
    )
    // had either stream stayed counted as open, the session would never be idle
    await session.until((s) => s.goaway !== undefined)
    expect(session.goaway).toBe(NGHTTP2_NO_ERROR)
  })
})

describe('an HTTP/2 request body cut short by RST_STREAM', () => {
  it('is the client going away to an application reading it, whatever the code: never a whole body, never an error logged', async () => {
    const started: string[] = []
    const read: string[] = []
    const failed: string[] = []
    const { port, log } = await serve(
      async (environ: Environ, startResponse: StartResponse) => {
        const input = environ['wsgi.input']
        started.push(environ.PATH_INFO)
        try {
          let body = ''
          if (environ.PATH_INFO === '/read') body = (await input.read()).toString()
          else if (environ.PATH_INFO === '/readline') body = (await input.readline()).toString()
          else for await (const chunk of input) body += chunk.toString()
          read.push(body)
        } catch (error) {
          failed.push((error as Error).name)
          throw error
        }
        startResponse('200 OK', [])
        return ['read']
      },
      { http2: 'h2c' },
    )
    const session = await rawH2(port)
    let stream = 1
    for (const path of ['/read', '/readline', '/iterate'])
      for (const code of [NGHTTP2_NO_ERROR, NGHTTP2_PROTOCOL_ERROR, NGHTTP2_CANCEL]) {
        const before = started.length
        session.socket.write(
          Buffer.concat([
            requestHeaders(stream, { ...POST, ':path': path }, true),
            frame(FrameType.DATA, 0, stream, Buffer.from('part of a body')),
          ]),
        )
        // the application is reading when the reset comes
        await eventually(() => started.length > before, 10_000, 'the application reading')
        session.socket.write(rstStream(stream, code))
        stream += 2
      }
    await eventually(() => failed.length + read.length === 9, 10_000, 'nine reads settled')
    expect(read).toEqual([])
    expect(failed).toEqual(Array(9).fill('ClientDisconnected'))
    expect(log.errors()).toEqual([])
    // a body its END_STREAM ends is read whole
    session.socket.write(
      Buffer.concat([
        requestHeaders(stream, { ...POST, ':path': '/read' }, true),
        frame(FrameType.DATA, Flag.END_STREAM, stream, Buffer.from('a whole body')),
      ]),
    )
    await session.until((s) => s.responses.includes(stream))
    expect(read).toEqual(['a whole body'])
  })
})
