/** An open socket over real connections: messages, control frames, closes, order, bad frames. */
import { describe, expect, it } from 'vitest'

import { WsgiHandler } from 'pulsar-ts'
import { WS, WebSocket, type WebSocketOptions, type WebSocketProtocol } from 'pulsar-ts/websocket'

import { serve } from '../helpers/listen.js'
import {
  TestClient,
  closePayload,
  eventually,
  frame,
  rawWebSocket,
  receivedCloseCode,
} from '../helpers/ws.js'

const wsUrl = (url: string, path: string) => url.replace(/^http/, 'ws') + path
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A handler that records every callback, and echoes. */
class Recorder extends WS {
  readonly events: unknown[] = []
  readonly closed: Promise<[number, string]>
  #closed!: (value: [number, string]) => void

  constructor() {
    super()
    this.closed = new Promise((resolve) => (this.#closed = resolve))
  }

  override onOpen() {
    this.events.push('open')
  }

  override onMessage(ws: WebSocketProtocol, text: string) {
    this.events.push(['text', text])
    return ws.write(text)
  }

  override onBytes(ws: WebSocketProtocol, bytes: Buffer) {
    this.events.push(['bytes', [...bytes]])
    return ws.write(bytes)
  }

  override onPing(ws: WebSocketProtocol, data: Buffer) {
    this.events.push(['ping', data.toString()])
    return super.onPing(ws, data)
  }

  override onPong(_ws: WebSocketProtocol, data: Buffer) {
    this.events.push(['pong', data.toString()])
  }

  override onClose(_ws: WebSocketProtocol, code: number, reason: string) {
    this.events.push(['close', code, reason])
    this.#closed([code, reason])
  }
}

async function open(options: WebSocketOptions = {}, handler = new Recorder()) {
  const route = new WebSocket('/ws', handler, options)
  const served = await serve(new WsgiHandler([route]))
  return { ...served, route, handler }
}

describe('messages and control frames', () => {
  it('echoes text and binary messages', async () => {
    const { url, handler } = await open()
    const client = await TestClient.connect(wsUrl(url, '/ws'))
    expect(await client.ask('héllo')).toBe('héllo')
    expect(await client.ask(Buffer.from([0, 1, 255]))).toEqual(Buffer.from([0, 1, 255]))
    expect(handler.events).toEqual(['open', ['text', 'héllo'], ['bytes', [0, 1, 255]]])
  })

  it('answers a client ping with a pong of the same data, and reports it', async () => {
    const { url, handler } = await open()
    const client = await TestClient.connect(wsUrl(url, '/ws'))
    client.socket.ping('are you there')
    await client.until(() => client.pongs.length === 1)
    expect(client.pongs[0]!.toString()).toBe('are you there')
    expect(handler.events).toContainEqual(['ping', 'are you there'])
  })

  it('pongs for a plain handler object that has no onPing', async () => {
    const { url } = await open({}, { onMessage: () => undefined } as unknown as Recorder)
    const client = await TestClient.connect(wsUrl(url, '/ws'))
    client.socket.ping('x')
    await client.until(() => client.pongs.length === 1)
  })

  it('pings the client, whose pong reaches onPong', async () => {
    const { url, route, handler } = await open()
    const client = await TestClient.connect(wsUrl(url, '/ws'))
    await eventually(() => route.sockets.size === 1)
    for (const socket of route.sockets) socket.ping('hello')
    await client.until(() => client.pings.length === 1)
    expect(client.pings[0]!.toString()).toBe('hello')
    await eventually(() => handler.events.some((e) => Array.isArray(e) && e[0] === 'pong'))
    expect(handler.events).toContainEqual(['pong', 'hello'])
  })
})

describe('closing', () => {
  it('closes with the code and reason the server gives, and onClose runs', async () => {
    const handler = new Recorder()
    handler.onMessage = (ws: WebSocketProtocol, text: string) => {
      ws.close(Number(text), 'bye')
      return Promise.resolve()
    }
    const { url } = await open({}, handler)
    const client = await TestClient.connect(wsUrl(url, '/ws'))
    client.socket.send('4001')
    expect(await client.untilClosed()).toEqual({ code: 4001, reason: 'bye' })
    expect(await handler.closed).toEqual([4001, 'bye'])
  })

  it('throws a TypeError for what it cannot send, open or closing', async () => {
    const refused: unknown[] = []
    const attempt = (what: unknown, send: () => void) => {
      try {
        send()
      } catch (error) {
        refused.push(what, (error as Error).name)
      }
    }
    const tooLong = 'é'.repeat(63) // 126 bytes
    const codes = [1005, 1006, 999, 2000, 1010, 5000, 1000.5, NaN]
    const { url } = await open({}, {
      onOpen(ws: WebSocketProtocol) {
        for (const code of codes) attempt(code, () => ws.close(code))
        attempt('reason', () => ws.close(1000, 'x'.repeat(124)))
        attempt('ping', () => ws.ping(tooLong))
        attempt('pong', () => ws.pong(tooLong))
        ws.close(1000)
        attempt('ping when closing', () => ws.ping(tooLong))
      },
    } as unknown as Recorder)
    const client = await TestClient.connect(wsUrl(url, '/ws'))
    expect((await client.untilClosed()).code).toBe(1000)
    const what = [...codes, 'reason', 'ping', 'pong', 'ping when closing']
    expect(refused).toEqual(what.flatMap((value) => [value, 'TypeError']))
  })

  it('runs onClose with the client’s code and reason', async () => {
    const { url, handler, route } = await open()
    const client = await TestClient.connect(wsUrl(url, '/ws'))
    client.socket.close(4321, 'done')
    expect(await handler.closed).toEqual([4321, 'done'])
    expect(await client.untilClosed()).toEqual({ code: 4321, reason: 'done' })
    expect(route.sockets.size).toBe(0)
  })

  it('runs onClose with 1006 when the client vanishes', async () => {
    const { url, handler } = await open()
    const client = await TestClient.connect(wsUrl(url, '/ws'))
    client.socket.terminate()
    expect((await handler.closed)[0]).toBe(1006)
  })

  it('closes with 1011 when a callback throws, logs it once, and still runs onClose', async () => {
    const handler = new Recorder()
    handler.onMessage = () => Promise.reject(new Error('boom'))
    const { url, log } = await open({}, handler)
    const client = await TestClient.connect(wsUrl(url, '/ws'))
    client.socket.send('x')
    expect((await client.untilClosed()).code).toBe(1011)
    await handler.closed
    expect(log.errors().map((record) => record.err?.message)).toEqual(['boom'])
  })

  it('closes every socket with 1001 on graceful shutdown and waits for them', async () => {
    const { url, server, handler, log } = await open()
    const clients = [
      await TestClient.connect(wsUrl(url, '/ws')),
      await TestClient.connect(wsUrl(url, '/ws')),
    ]
    await server.close()
    for (const client of clients) expect((await client.untilClosed()).code).toBe(1001)
    // the closing handshakes ended the sockets, not the graceful timeout
    expect(log.records.map((record) => record.msg)).not.toContainEqual(
      expect.stringContaining('Cutting'),
    )
    expect((await handler.closed)[0]).toBe(1001)
  })
})

describe('order', () => {
  it('delivers messages one at a time, in order, when callbacks are asynchronous', async () => {
    const seen: string[] = []
    let running = 0
    let overlapped = false
    const handler = {
      async onMessage(ws: WebSocketProtocol, text: string) {
        overlapped ||= running > 0
        running++
        // later messages take less time: without ordering they would overtake
        await sleep(Number(text) % 2 ? 1 : 15)
        seen.push(text)
        running--
        if (text === '19') await ws.write('done')
      },
    }
    const { url } = await open({ maxQueuedMessages: 4 }, handler as unknown as Recorder)
    const client = await TestClient.connect(wsUrl(url, '/ws'))
    for (let i = 0; i < 20; i++) client.socket.send(String(i))
    expect(await client.next(5000)).toBe('done')
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => String(i)))
    expect(overlapped).toBe(false)
  })

  it('runs onClose after the last message callback finished', async () => {
    const events: string[] = []
    const handler = {
      async onMessage() {
        await sleep(50)
        events.push('message')
      },
      onClose() {
        events.push('close')
      },
    }
    const { url } = await open({}, handler as unknown as Recorder)
    const client = await TestClient.connect(wsUrl(url, '/ws'))
    client.socket.send('a')
    client.socket.close()
    await client.untilClosed()
    await eventually(() => events.includes('close'))
    expect(events).toEqual(['message', 'close'])
  })
})

describe('bad frames from a raw client', () => {
  const cases: [string, Buffer, number][] = [
    ['an unmasked frame', frame(1, 'hi', { mask: false }), 1002],
    ['invalid UTF-8 in a text frame', frame(1, Buffer.from([0xc3, 0x28])), 1007],
    ['a reserved opcode', frame(3, 'x'), 1002],
    ['RSV1 without an extension', frame(1, 'x', { rsv1: true }), 1002],
    ['a fragmented ping', frame(9, 'x', { fin: false }), 1002],
    ['a ping of 126 bytes', frame(9, Buffer.alloc(126)), 1002],
    ['a continuation with no message', frame(0, 'x'), 1002],
    ['a message over maxPayload', frame(2, Buffer.alloc(2048)), 1009],
    ['a declared length of 2^40', frame(2, '', { declaredLength: 2 ** 40 }), 1009],
    ['a close frame with code 1005', frame(8, closePayload(1005)), 1002],
    ['a close frame with code 999', frame(8, closePayload(999)), 1002],
    ['a close frame with code 2999', frame(8, closePayload(2999)), 1002],
    ['a one-byte close payload', frame(8, Buffer.from([3])), 1002],
    ['a close reason that is not UTF-8', frame(8, closePayload(1000, Buffer.from([0xff]))), 1007],
    [
      '20 000 empty fragments',
      Buffer.concat([
        frame(1, '', { fin: false }),
        ...Array.from({ length: 20_000 }, () => frame(0, '', { fin: false })),
      ]),
      1008,
    ],
  ]

  for (const [what, bytes, code] of cases)
    it(`closes with ${code} on ${what}, and onClose runs`, async () => {
      const { port, handler } = await open({ maxPayload: 1024 })
      const client = await rawWebSocket(port, '/ws')
      client.send(bytes)
      const received = await client.untilClosed()
      client.close()
      expect(receivedCloseCode(received)).toBe(code)
      await handler.closed
      expect(
        handler.events.filter((event) => Array.isArray(event) && event[0] !== 'close'),
      ).toEqual([])
    })

  it('echoes a close 1000 from a raw client', async () => {
    const { port, handler } = await open()
    const client = await rawWebSocket(port, '/ws')
    client.send(frame(8, closePayload(1000)))
    const received = await client.untilClosed()
    client.close()
    expect(receivedCloseCode(received)).toBe(1000)
    expect(await handler.closed).toEqual([1000, ''])
  })

  it('reassembles a fragmented message with a ping in the middle', async () => {
    const { port, handler } = await open()
    const client = await rawWebSocket(port, '/ws')
    client.send(
      Buffer.concat([
        frame(1, 'Hel', { fin: false }),
        frame(9, 'p'),
        frame(0, 'lo', { fin: true }),
      ]),
    )
    await eventually(() => handler.events.length >= 3)
    client.close()
    expect(handler.events.slice(0, 3)).toEqual(['open', ['ping', 'p'], ['text', 'Hello']])
  })
})
