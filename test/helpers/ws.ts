/**
 * WebSocket clients for tests: a ws client that queues what it receives,
 * and hand-built frames for a raw TCP client (malformed input ws would never send).
 */
import { randomBytes } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

import { afterEach } from 'vitest'
import { WebSocket, type ClientOptions } from 'ws'

import { RawClient } from './raw.js'

const open = new Set<WebSocket>()

afterEach(() => {
  for (const socket of open) socket.terminate()
  open.clear()
})

/** A received message: text, or bytes for a binary one. */
export type Received = string | Buffer

/** A ws client whose messages, pings and close wait in queues, every wait bounded. */
export class TestClient {
  readonly socket: WebSocket
  readonly messages: Received[] = []
  readonly pings: Buffer[] = []
  readonly pongs: Buffer[] = []
  /** The close code and reason, once closed. */
  closed: { code: number; reason: string } | undefined
  /** The headers of the server's 101, once open. */
  headers: IncomingHttpHeaders = {}
  #wake: (() => void)[] = []

  private constructor(socket: WebSocket) {
    this.socket = socket
    socket.once('upgrade', (response) => (this.headers = response.headers))
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      this.messages.push(isBinary ? data : data.toString())
      this.#notify()
    })
    socket.on('ping', (data: Buffer) => {
      this.pings.push(data)
      this.#notify()
    })
    socket.on('pong', (data: Buffer) => {
      this.pongs.push(data)
      this.#notify()
    })
    socket.on('close', (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString() }
      this.#notify()
    })
    socket.on('error', () => undefined)
  }

  /** Connects to `url` (ws://...); rejects with the handshake's failure. */
  static connect(
    url: string,
    protocols: string[] = [],
    options: ClientOptions = {},
  ): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, protocols, { handshakeTimeout: 3000, ...options })
      open.add(socket)
      const client = new TestClient(socket)
      socket.once('open', () => resolve(client))
      socket.once('error', reject)
      socket.once('unexpected-response', (_req, res) =>
        reject(new Error(`Unexpected response ${String(res.statusCode)}`)),
      )
    })
  }

  /** Waits until `test` holds, at most `ms`. */
  async until(test: () => boolean, ms = 3000): Promise<void> {
    const deadline = Date.now() + ms
    while (!test()) {
      const left = deadline - Date.now()
      if (left <= 0) throw new Error('Timed out waiting on the WebSocket client')
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#wake.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** The next message not yet taken. */
  async next(ms = 3000): Promise<Received> {
    await this.until(() => this.messages.length > 0, ms)
    return this.messages.shift()!
  }

  /** Sends and waits for the answer. */
  async ask(data: string | Buffer, ms = 3000): Promise<Received> {
    this.socket.send(data)
    return this.next(ms)
  }

  /** Waits for the connection to close; returns the code and reason. */
  async untilClosed(ms = 3000): Promise<{ code: number; reason: string }> {
    await this.until(() => this.closed !== undefined, ms)
    return this.closed!
  }

  #notify(): void {
    const wake = this.#wake
    this.#wake = []
    for (const fn of wake) fn()
  }
}

/** A handshake request for a raw client, with a valid key and version unless `headers` override them. */
export function handshakeRequest(
  path: string,
  headers: Record<string, string | undefined> = {},
  method = 'GET',
): string {
  const all: Record<string, string | undefined> = {
    Host: 't',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
    ...headers,
  }
  const lines = Object.entries(all)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}: ${value}`)
  return `${method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`
}

/** Options of a hand-built frame. */
export interface FrameOptions {
  fin?: boolean
  rsv1?: boolean
  /** Mask the payload, as a client must. @default true */
  mask?: boolean
  /** The length to declare instead of the payload's (to claim a huge frame). */
  declaredLength?: number
}

/** Builds one frame (RFC 6455 §5.2). */
export function frame(
  opcode: number,
  payload: Buffer | string = '',
  options: FrameOptions = {},
): Buffer {
  const { fin = true, rsv1 = false, mask = true } = options
  const data = Buffer.from(payload)
  const length = options.declaredLength ?? data.length
  const head: number[] = [(fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode]
  const maskBit = mask ? 0x80 : 0
  if (length < 126) head.push(maskBit | length)
  else if (length < 65536) head.push(maskBit | 126, length >> 8, length & 255)
  else {
    head.push(maskBit | 127)
    const big = Buffer.alloc(8)
    big.writeBigUInt64BE(BigInt(length))
    head.push(...big)
  }
  if (!mask) return Buffer.concat([Buffer.from(head), data])
  const key = randomBytes(4)
  const masked = Buffer.from(data.map((byte, i) => byte ^ key[i % 4]!))
  return Buffer.concat([Buffer.from(head), key, masked])
}

/** A close frame's payload: the code and an optional reason. */
export function closePayload(code: number, reason: string | Buffer = ''): Buffer {
  const body = Buffer.alloc(2)
  body.writeUInt16BE(code)
  return Buffer.concat([body, Buffer.from(reason)])
}

/** A frame the server sent: its opcode and payload (text frames as text). */
export interface ReceivedFrame {
  opcode: number
  payload: Buffer
}

/** The whole frames (unmasked, as a server sends them) after the 101 in what a raw client received. */
export function receivedFrames(received: string): ReceivedFrame[] {
  const bytes = Buffer.from(received.slice(received.indexOf('\r\n\r\n') + 4), 'latin1')
  const frames: ReceivedFrame[] = []
  let offset = 0
  while (offset + 2 <= bytes.length) {
    let length = bytes[offset + 1]! & 0x7f
    let start = offset + 2
    if (length === 126) {
      length = bytes.readUInt16BE(start)
      start += 2
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(start))
      start += 8
    }
    if (start + length > bytes.length) break
    frames.push({ opcode: bytes[offset]! & 0x0f, payload: bytes.subarray(start, start + length) })
    offset = start + length
  }
  return frames
}

/** Reads the close code of the first close frame (opcode 8, unmasked) in what a raw client received. */
export function receivedCloseCode(received: string): number | undefined {
  const close = receivedFrames(received).find((frame) => frame.opcode === 8)
  if (close === undefined) return undefined
  return close.payload.length >= 2 ? close.payload.readUInt16BE(0) : 1005
}

/** Opens a raw connection and completes a handshake on `path`; returns the client with the 101 consumed. */
export async function rawWebSocket(port: number, path: string): Promise<RawClient> {
  const client = await RawClient.connect(port)
  client.send(handshakeRequest(path))
  await client.until((received) => received.includes('\r\n\r\n'))
  if (!client.received.startsWith('HTTP/1.1 101')) throw new Error(client.received)
  return client
}

export { eventually } from './wait.js'
