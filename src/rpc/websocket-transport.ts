/**
 * JSON-RPC over a WebSocket, the client side: `JsonProxy('ws://...')` sends
 * each message as a text frame on one connection and matches the replies
 * to the calls by id, however the server orders them.
 * @module
 */
import { type ClientConnection, connect } from '../websocket/engine.js'
import type { EngineEvents } from '../websocket/transport.js'
import type { RpcTransport, SendOptions } from './transport.js'

/** Options of the WebSocket transport. */
export interface WebSocketTransportOptions {
  /** Extra handshake headers (authorization, cookies...). @default {} */
  headers?: Readonly<Record<string, string>>
  /** Subprotocols to offer. @default [] */
  protocols?: readonly string[]
  /** The largest reply accepted, in bytes. @default 16777216 (16 MiB) */
  maxPayload?: number
  /** Milliseconds the handshake may take. @default 10000 */
  handshakeTimeout?: number
}

interface Exchange {
  /** The ids of the calls in the message (a batch has several). */
  ids: readonly unknown[]
  resolve(reply: string): void
  reject(error: Error): void
}

/** The ids of the calls of a message this client made (JsonProxy makes well-formed ones). */
function callIds(message: string): unknown[] {
  const parsed = JSON.parse(message) as unknown
  const calls = Array.isArray(parsed) ? parsed : [parsed]
  return calls
    .filter(
      (call): call is { id: unknown } => typeof call === 'object' && call !== null && 'id' in call,
    )
    .map((call) => call.id)
}

/** The ids a reply answers (`null` for an error about a message it could not read). */
function replyIds(reply: string): unknown[] {
  try {
    const parsed = JSON.parse(reply) as unknown
    const responses = Array.isArray(parsed) ? parsed : [parsed]
    return responses.map((response) => (response as { id?: unknown } | null)?.id ?? null)
  } catch {
    return [null]
  }
}

/**
 * A JSON-RPC transport over one WebSocket, opened on the first message and
 * again after it closed. While no reply is awaited it does not keep the
 * process alive. Call ids must be unique among the messages in flight (one
 * JsonProxy per transport makes sure of that).
 */
export class WebSocketTransport implements RpcTransport {
  /** The server's `ws://` or `wss://` URL. */
  readonly url: string
  readonly #options: WebSocketTransportOptions
  readonly #pending = new Set<Exchange>()
  #connection: Promise<ClientConnection> | undefined

  constructor(url: string | URL, options: WebSocketTransportOptions = {}) {
    this.url = String(url)
    this.#options = options
  }

  static readonly #events: EngineEvents<WebSocketTransport> = {
    message: (transport, data, isBinary) => {
      if (!isBinary) transport.#reply(data.toString())
    },
    ping: () => undefined, // ws's client answers pings itself
    pong: () => undefined,
    closing: () => false, // no queue of its own: ws answers at once
    close: (transport, code, reason) => {
      transport.#connection = undefined
      transport.#failAll(new Error(`The WebSocket closed (${code}${reason ? ` ${reason}` : ''})`))
    },
    error: () => undefined, // a close follows
  }

  /** Sends one message; resolves with the reply's text, or `undefined` for notifications. */
  async send(message: string, { signal, notification }: SendOptions): Promise<string | undefined> {
    signal.throwIfAborted()
    const { socket, tcp } = await this.#connect()
    if (notification) {
      socket.send(message)
      return undefined
    }
    return new Promise<string>((resolve, reject) => {
      const settle = () => {
        signal.removeEventListener('abort', abort)
        this.#pending.delete(exchange)
        // nothing awaited: the connection alone does not keep the process alive
        if (this.#pending.size === 0) tcp.unref()
      }
      const exchange: Exchange = {
        ids: callIds(message),
        resolve: (reply) => {
          settle()
          resolve(reply)
        },
        reject: (error) => {
          settle()
          reject(error)
        },
      }
      const abort = () => exchange.reject(signal.reason as Error)
      signal.addEventListener('abort', abort, { once: true })
      this.#pending.add(exchange)
      tcp.ref()
      socket.send(message)
    })
  }

  /** Closes the connection; exchanges still waiting reject. */
  close(): void {
    const connection = this.#connection
    this.#connection = undefined
    void connection?.then(
      ({ socket }) => socket.close(1000),
      () => undefined,
    )
  }

  #connect(): Promise<ClientConnection> {
    this.#connection ??= connect(
      this.url,
      {
        ...(this.#options.protocols ? { protocols: this.#options.protocols } : {}),
        headers: { ...this.#options.headers },
        maxPayload: this.#options.maxPayload ?? 1 << 24,
        handshakeTimeout: this.#options.handshakeTimeout ?? 10_000,
      },
      WebSocketTransport.#events,
      this,
    ).then(
      (connection) => {
        connection.tcp.unref()
        return connection
      },
      (error: unknown) => {
        this.#connection = undefined
        throw error
      },
    )
    return this.#connection
  }

  #reply(reply: string): void {
    const ids = replyIds(reply)
    let match: Exchange | undefined
    for (const exchange of this.#pending) {
      // a reply about an unreadable message (id null) goes to the oldest exchange
      if (
        ids.some((id) => id !== null && exchange.ids.includes(id)) ||
        ids.every((id) => id === null)
      ) {
        match = exchange
        break
      }
    }
    match?.resolve(reply)
  }

  #failAll(error: Error): void {
    for (const exchange of [...this.#pending]) exchange.reject(error)
  }
}
