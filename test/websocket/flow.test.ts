/** Backpressure, the send-buffer cap and the heartbeat, over real sockets (permessage-deflate: deflate.test.ts). */
import { type Socket, connect } from 'node:net'

import { describe, expect, it } from 'vitest'

import { WsgiHandler } from 'pulsar-ts'
import {
  WebSocket,
  type WebSocketHandler,
  type WebSocketOptions,
  type WebSocketProtocol,
} from 'pulsar-ts/websocket'

import { serve } from '../helpers/listen.js'
import { TestClient, eventually, handshakeRequest } from '../helpers/ws.js'

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
