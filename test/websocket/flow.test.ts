/** Backpressure, the send-buffer cap, the heartbeat and permessage-deflate, over real sockets. */
import { type Socket, connect } from 'node:net'
import { deflateRawSync } from 'node:zlib'

import { describe, expect, it } from 'vitest'

import { WsgiHandler } from 'pulsar-ts'
import {
  WebSocket,
  type WebSocketHandler,
  type WebSocketOptions,
  type WebSocketProtocol,
} from 'pulsar-ts/websocket'

import { serve } from '../helpers/listen.js'
import { parseResponse, rawExchange, rawUntil } from '../helpers/raw.js'
import {
  TestClient,
  eventually,
  frame,
  handshakeRequest,
  receivedCloseCode,
} from '../helpers/ws.js'

const wsUrl = (url: string, path: string) => url.replace(/^http/, 'ws') + path

async function open(handler: WebSocketHandler, options: WebSocketOptions = {}) {
  const route = new WebSocket('/ws', handler, options)
  return { ...(await serve(new WsgiHandler([route]))), route }
}

/** A raw client that completes the handshake, then stops reading (its receive window fills up). */
async function sluggishClient(port: number, headers: Record<string, string> = {}): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port })
  socket.on('error', () => undefined)
  await new Promise<void>((resolve) => socket.once('connect', resolve))
  socket.write(handshakeRequest('/ws', headers))
  await new Promise<void>((resolve) => socket.once('data', () => resolve()))
  socket.pause()
  return socket
}

const MESSAGE = Buffer.alloc(64 * 1024, 1)

describe('backpressure', () => {
  it('resolves write() only once a slow client has read enough', async () => {
    let pending = 0
    let resolved = 0
    const handler = {
      async onOpen(ws: WebSocketProtocol) {
        // fill the send buffer past the high-water mark, then wait like a good writer
        while (ws.bufferedAmount <= 256 * 1024) {
          pending++
          void ws.write(MESSAGE).then(() => resolved++)
        }
        await ws.write(MESSAGE)
        resolved++
        await ws.write('last')
      },
    }
    const { port } = await open(handler, { highWaterMark: 128 * 1024 })
    const socket = await sluggishClient(port)
    await new Promise((resolve) => setTimeout(resolve, 200))
    // the client reads nothing: the writes past the mark are still waiting
    expect(resolved).toBeLessThan(pending + 1)
    let received = 0
    socket.on('data', (chunk: Buffer) => (received += chunk.length))
    socket.resume()
    await eventually(() => resolved === pending + 1)
    await eventually(() => received > pending * MESSAGE.length)
    socket.destroy()
  })

  it('closes with 1008 a client that never reads, instead of buffering without bound', async () => {
    let closed: number | undefined
    let largest = 0
    const handler = {
      onOpen(ws: WebSocketProtocol) {
        // a careless writer: it never waits for write()
        for (let i = 0; i < 400; i++) {
          void ws.write(MESSAGE)
          largest = Math.max(largest, ws.bufferedAmount)
        }
      },
      onClose(_ws: WebSocketProtocol, code: number) {
        closed = code
      },
    }
    const cap = 2 * 1024 * 1024
    const { port, route } = await open(handler, {
      highWaterMark: 256 * 1024,
      maxBufferedAmount: cap,
      closeTimeout: 0.3,
    })
    const socket = await sluggishClient(port)
    // 400 x 64 KiB is 25 MiB: the cap stops it near 2 MiB
    await eventually(() => closed !== undefined, 5000)
    expect(largest).toBeLessThanOrEqual(cap + MESSAGE.length)
    expect(closed).toBe(1006) // it never read the close frame either: cut after closeTimeout
    expect(route.sockets.size).toBe(0)
    socket.destroy()
  })

  it('sends the 1008 close frame to a client that reads again', async () => {
    const handler = {
      onOpen(ws: WebSocketProtocol) {
        for (let i = 0; i < 100; i++) void ws.write(MESSAGE)
      },
    }
    const { url } = await open(handler, { highWaterMark: 1024, maxBufferedAmount: 1024 * 1024 })
    const client = await TestClient.connect(wsUrl(url, '/ws'))
    expect((await client.untilClosed(5000)).code).toBe(1008)
  })
})

describe('heartbeat', () => {
  it('terminates a peer that stops answering pings, and onClose runs', async () => {
    const closes: number[] = []
    const { url, route } = await open(
      { onClose: (_ws: WebSocketProtocol, code: number) => void closes.push(code) },
      { heartbeat: 0.1 },
    )
    const silent = await TestClient.connect(wsUrl(url, '/ws'), [], { autoPong: false })
    const lively = await TestClient.connect(wsUrl(url, '/ws'))
    await silent.untilClosed(3000)
    expect(silent.pings.length).toBeGreaterThan(0)
    await eventually(() => closes.length > 0)
    expect(closes).toEqual([1006])
    // the peer that answers stays
    expect(lively.closed).toBeUndefined()
    expect(lively.pings.length).toBeGreaterThan(0)
    expect(route.sockets.size).toBe(1)
  })

  it('leaves alone a peer whose pongs wait unread behind a slow handler', async () => {
    const handler = {
      async onMessage(ws: WebSocketProtocol, text: string) {
        await new Promise((resolve) => setTimeout(resolve, 120))
        await ws.write(text)
      },
    }
    const { url } = await open(handler, { heartbeat: 0.05, maxQueuedMessages: 1 })
    const client = await TestClient.connect(wsUrl(url, '/ws'))
    for (let i = 0; i < 6; i++) client.socket.send(String(i))
    for (let i = 0; i < 6; i++) expect(await client.next()).toBe(String(i))
    expect(client.closed).toBeUndefined()
  })
})

describe('permessage-deflate', () => {
  it('is off by default', async () => {
    const { url } = await open({ onMessage: (ws: WebSocketProtocol, t: string) => ws.write(t) })
    const client = await TestClient.connect(wsUrl(url, '/ws'), [], { perMessageDeflate: true })
    expect(client.socket.extensions).toBe('')
    expect(await client.ask('plain')).toBe('plain')
  })

  it('is negotiated when on, with no context takeover and a small window', async () => {
    const { url, port } = await open(
      { onMessage: (ws: WebSocketProtocol, t: string) => ws.write(t) },
      { perMessageDeflate: { threshold: 0 } },
    )
    const offer = 'permessage-deflate; client_max_window_bits'
    const request = handshakeRequest('/ws', { 'Sec-WebSocket-Extensions': offer })
    const { headers } = parseResponse(await rawUntil(port, request, (r) => r.includes('\r\n\r\n')))
    expect(headers['sec-websocket-extensions']).toBe(
      'permessage-deflate; client_max_window_bits=12; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12',
    )
    const client = await TestClient.connect(wsUrl(url, '/ws'), [], { perMessageDeflate: true })
    expect(client.socket.extensions).toBe('permessage-deflate')
    const text = 'compress me '.repeat(100)
    expect(await client.ask(text)).toBe(text)
  })

  it('goes on without compression when it cannot accept the offer', async () => {
    const { port } = await open({}, { perMessageDeflate: true })
    // no client_max_window_bits: the server may not ask for its window of 12
    const request = handshakeRequest('/ws', { 'Sec-WebSocket-Extensions': 'permessage-deflate' })
    const { status, headers } = parseResponse(
      await rawUntil(port, request, (r) => r.includes('\r\n\r\n')),
    )
    expect(status).toBe(101)
    expect(headers['sec-websocket-extensions']).toBeUndefined()
  })

  it('refuses a malformed extension header with 400 when on', async () => {
    const { port } = await open({}, { perMessageDeflate: true })
    const request = handshakeRequest('/ws', { 'Sec-WebSocket-Extensions': 'permessage-deflate;;' })
    expect(parseResponse(await rawExchange(port, request)).status).toBe(400)
  })

  it('closes with 1009 on a compressed message that inflates past maxPayload (zip bomb)', async () => {
    const { port } = await open({}, { perMessageDeflate: true, maxPayload: 64 * 1024 })
    const socket = connect({ host: '127.0.0.1', port })
    socket.on('error', () => undefined)
    let received = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])))
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    socket.write(
      handshakeRequest('/ws', {
        'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits',
      }),
    )
    await eventually(() => received.includes('\r\n\r\n'))
    expect(received.toString('latin1')).toContain('permessage-deflate')
    // 8 MiB of zeros, a few KiB on the wire (RFC 7692 §7.2.1: the empty block tail is dropped)
    const bomb = deflateRawSync(Buffer.alloc(8 * 1024 * 1024), { finishFlush: 2 }).subarray(0, -4)
    socket.write(frame(2, bomb, { rsv1: true }))
    await closed
    expect(receivedCloseCode(received.toString('latin1'))).toBe(1009)
  })
})
