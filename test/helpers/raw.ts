/**
 * A raw TCP client for the protocol edge cases fetch cannot produce:
 * malformed request lines, pipelining, HTTP/1.0, slow and vanishing clients.
 */
import { type Socket, connect } from 'node:net'

export class RawClient {
  readonly socket: Socket
  /** Everything received so far. */
  received = ''
  /** Whether the server closed the connection. */
  closed = false
  #waiters: (() => void)[] = []

  private constructor(socket: Socket) {
    this.socket = socket
    socket.setEncoding('latin1')
    socket.on('data', (data: string) => {
      this.received += data
      this.#wake()
    })
    socket.on('close', () => {
      this.closed = true
      this.#wake()
    })
    socket.on('error', () => undefined)
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(new RawClient(socket)))
      socket.once('error', reject)
    })
  }

  send(data: string | Buffer): this {
    this.socket.write(data)
    return this
  }

  /** Waits until `test` holds for what was received (or the connection closed), at most `ms`. */
  async until(test: (received: string) => boolean, ms = 10_000): Promise<string> {
    const deadline = Date.now() + ms
    while (!test(this.received)) {
      if (this.closed) break
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`Timed out; received so far:\n${this.received}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
    return this.received
  }

  /** Waits for the server to close the connection, at most `ms`. */
  async untilClosed(ms = 10_000): Promise<string> {
    await this.until(() => this.closed, ms)
    if (!this.closed) throw new Error('The server did not close the connection')
    return this.received
  }

  close(): void {
    this.socket.destroy()
  }

  #wake(): void {
    const waiters = this.#waiters
    this.#waiters = []
    for (const wake of waiters) wake()
  }
}

/** Sends raw bytes on a new connection and returns all the server sent until it closed or went quiet. */
export async function rawExchange(
  port: number,
  data: string | Buffer,
  ms = 10_000,
): Promise<string> {
  const client = await RawClient.connect(port)
  try {
    client.send(data)
    return await client.untilClosed(ms)
  } finally {
    client.close()
  }
}

/** Sends raw bytes on a new connection and returns what was received once `done` holds for it. */
export async function rawUntil(
  port: number,
  data: string | Buffer,
  done: (received: string) => boolean,
  ms = 10_000,
): Promise<string> {
  const client = await RawClient.connect(port)
  try {
    client.send(data)
    return await client.until(done, ms)
  } finally {
    client.close()
  }
}

/** Whether `received` holds one whole response whose body has a Content-Length (or none). */
export function hasWholeResponse(received: string): boolean {
  const head = received.indexOf('\r\n\r\n')
  if (head < 0) return false
  const length = /content-length: (\d+)/i.exec(received.slice(0, head))
  return !length || received.length >= head + 4 + Number(length[1])
}

/** The status codes of every response in a raw byte stream, in order. */
export function statuses(received: string): number[] {
  return [...received.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((match) => Number(match[1]))
}

/** Splits one raw response into its head (lower-cased header names) and body. */
export function parseResponse(received: string): {
  status: number
  headers: Record<string, string>
  body: string
} {
  const end = received.indexOf('\r\n\r\n')
  const [statusLine = '', ...lines] = received.slice(0, end).split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: received.slice(end + 4) }
}
