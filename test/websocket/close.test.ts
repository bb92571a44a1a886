/**
 * The peer's close frame behind messages still being handled: they reach
 * the handler before onClose, their answers go out before the server's
 * close frame, bounded by closeTimeout; a peer that vanishes hangs nothing.
 */
import { describe, expect, it } from 'vitest'

import { WsgiHandler } from 'pulsar-ts'
import { WebSocket, type WebSocketOptions, type WebSocketProtocol } from 'pulsar-ts/websocket'

import { serve } from '../helpers/listen.js'
import {
  TestClient,
  closePayload,
  eventually,
  frame,
  rawWebSocket,
  receivedCloseCode,
  receivedFrames,
} from '../helpers/ws.js'

/** A handler whose message callbacks wait for `open()` before echoing; it records what it is given. */
class Gated {
  readonly events: unknown[] = []
  readonly closed: Promise<void>
  closes = 0
  open!: () => void
  readonly #opened = new Promise<void>((resolve) => (this.open = resolve))
  #closed!: () => void

  constructor() {
    this.closed = new Promise((resolve) => (this.#closed = resolve))
  }

  async onMessage(ws: WebSocketProtocol, text: string): Promise<void> {
    this.events.push(text)
    await this.#opened
    await ws.write(`echo:${text}`)
  }

  onClose(_ws: WebSocketProtocol, code: number, reason: string): void {
    this.events.push(['close', code, reason])
    this.closes++
    this.#closed()
  }
}

async function open(handler: object, options: WebSocketOptions = {}) {
  const route = new WebSocket('/ws', handler, options)
  const served = await serve(new WsgiHandler([route]))
  return { ...served, route, wsUrl: served.url.replace(/^http/, 'ws') + '/ws' }
}

describe('messages received before the peer’s close', () => {
  it('are echoed before the close is answered (Autobahn 7.1.6)', async () => {
    const events: unknown[] = []
    const handler = {
      onMessage(ws: WebSocketProtocol, text: string) {
        events.push(text.length)
        return ws.write(text)
      },
      onClose: (_ws: WebSocketProtocol, code: number) => void events.push(['close', code]),
    }
    const { port } = await open(handler)
    const client = await rawWebSocket(port, '/ws')
    const big = 'BAsd7&jh23'.repeat(26 * 1024)
    client.send(
      Buffer.concat([
        frame(1, big),
        frame(1, 'Hello World!'),
        frame(8, closePayload(1000)),
        frame(9), // after the close: ignored
      ]),
    )
    const received = await client.untilClosed(10_000)
    client.close()
    const frames = receivedFrames(received)
    expect(frames.map((sent) => sent.opcode)).toEqual([1, 1, 8])
    expect(frames[0]!.payload.toString() === big).toBe(true)
    expect(frames[1]!.payload.toString()).toBe('Hello World!')
    expect(receivedCloseCode(received)).toBe(1000)
    await eventually(() => events.length === 3)
    expect(events).toEqual([big.length, 12, ['close', 1000]])
  })

  it('reach a slow handler before onClose, and its answers go out before the close', async () => {
    const handler = new Gated()
    const { wsUrl, route } = await open(handler)
    const client = await TestClient.connect(wsUrl)
    client.socket.send('one')
    client.socket.send('two')
    client.socket.close(4000, 'bye')
    await eventually(() => handler.events.length > 0)
    handler.open()
    expect(await client.untilClosed(5000)).toEqual({ code: 4000, reason: 'bye' })
    expect(client.messages).toEqual(['echo:one', 'echo:two'])
    await handler.closed
    expect(handler.events).toEqual(['one', 'two', ['close', 4000, 'bye']])
    expect(handler.closes).toBe(1)
    expect(route.sockets.size).toBe(0)
  })

  it('wait at most closeTimeout: then the close is answered and later answers are dropped', async () => {
    const handler = new Gated()
    const { wsUrl, route, log } = await open(handler, { closeTimeout: 0.2 })
    const client = await TestClient.connect(wsUrl)
    client.socket.send('one')
    client.socket.send('two')
    client.socket.close(1000)
    // the handler is still waiting: the server answered the close on its own
    expect((await client.untilClosed(5000)).code).toBe(1000)
    await eventually(() => route.sockets.size === 0)
    handler.open()
    await handler.closed
    expect(client.messages).toEqual([])
    expect(handler.events).toEqual(['one', 'two', ['close', 1000, '']])
    expect(handler.closes).toBe(1)
    expect(log.errors()).toEqual([])
  })

  it('do not hold the close of a socket whose callbacks are idle', async () => {
    // a long close timeout, which a deferred answer would make the client wait for
    const handler = new Gated()
    handler.open()
    const { wsUrl } = await open(handler, { closeTimeout: 30 })
    const client = await TestClient.connect(wsUrl)
    expect(await client.ask('one')).toBe('echo:one')
    client.socket.close(1000)
    expect((await client.untilClosed(5000)).code).toBe(1000)
    await handler.closed
  })

  it('end a streaming onOpen that watches ws.closed, without waiting for closeTimeout', async () => {
    let writes = 0
    const handler = {
      async onOpen(ws: WebSocketProtocol) {
        while (!ws.closed) {
          await ws.write(`tick ${writes++}`)
          await new Promise((resolve) => setImmediate(resolve))
        }
      },
    }
    const { wsUrl, route } = await open(handler, { closeTimeout: 30 })
    const client = await TestClient.connect(wsUrl)
    await client.until(() => client.messages.length > 2)
    client.socket.close(1001)
    expect((await client.untilClosed(5000)).code).toBe(1001)
    await eventually(() => route.sockets.size === 0)
  })
})

describe('a peer that vanishes', () => {
  it('with messages queued: onClose runs once, with 1006, after them', async () => {
    const handler = new Gated()
    const { port, route, log } = await open(handler)
    const client = await rawWebSocket(port, '/ws')
    client.send(Buffer.concat([frame(1, 'one'), frame(1, 'two')]))
    await eventually(() => handler.events.length > 0)
    client.socket.resetAndDestroy()
    await eventually(() => route.sockets.size === 0)
    handler.open()
    await handler.closed
    expect(handler.events).toEqual(['one', 'two', ['close', 1006, '']])
    expect(handler.closes).toBe(1)
    expect(log.errors()).toEqual([])
  })

  it('after its close frame, while the server waits for the handler: onClose runs once', async () => {
    const handler = new Gated()
    const { port, route, log } = await open(handler, { closeTimeout: 30 })
    const client = await rawWebSocket(port, '/ws')
    client.send(Buffer.concat([frame(1, 'one'), frame(1, 'two'), frame(8, closePayload(4001))]))
    await eventually(() => handler.events.length > 0)
    client.socket.resetAndDestroy()
    await eventually(() => route.sockets.size === 0)
    handler.open()
    await handler.closed
    expect(handler.events).toEqual(['one', 'two', ['close', 4001, '']])
    expect(handler.closes).toBe(1)
    expect(log.errors()).toEqual([])
  })
})
