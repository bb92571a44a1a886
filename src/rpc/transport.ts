/**
 * How a JSON-RPC client reaches its server: a transport sends the text of
 * one message and resolves with the text of the reply. HTTP (Node's fetch)
 * is built in; other transports (WebSocket) plug in through the interface.
 * @module
 */
import { HttpException } from '../wsgi/errors.js'

/** What a transport is told besides the message. */
export interface SendOptions {
  /** Aborts the exchange (the client's timeout). */
  signal: AbortSignal
  /** Whether no reply is expected: the message holds notifications only. */
  notification: boolean
}

/** Carries JSON-RPC messages to a server. */
export interface RpcTransport {
  /** Sends one message (a call or a batch); resolves with the reply's text, `undefined` when there is none. */
  send(message: string, options: SendOptions): Promise<string | undefined>
}

/** Options of the HTTP transport. */
export interface HttpTransportOptions {
  /** Extra request headers (authorization, cookies...). @default {} */
  headers?: Readonly<Record<string, string>>
  /** The fetch to use. @default globalThis.fetch */
  fetch?: typeof fetch
}

/**
 * JSON-RPC over HTTP: each message is a POST of `application/json`. A reply
 * that is not JSON-RPC (an HTTP error page) throws an HttpException of its
 * status; a JSON-RPC error reply, whatever its status, is left to the client.
 */
export class HttpTransport implements RpcTransport {
  readonly url: string
  readonly #headers: Record<string, string>
  readonly #fetch: typeof fetch

  constructor(url: string | URL, options: HttpTransportOptions = {}) {
    this.url = String(url)
    this.#headers = {
      ...options.headers,
      'Content-Type': 'application/json',
      Accept: 'application/json',
    }
    this.#fetch = options.fetch ?? fetch
  }

  async send(message: string, { signal }: SendOptions): Promise<string | undefined> {
    const response = await this.#fetch(this.url, {
      method: 'POST',
      headers: this.#headers,
      body: message,
      signal,
    })
    const text = await response.text()
    if (response.status === 204 || (response.ok && text === '')) return undefined
    const json = (response.headers.get('content-type') ?? '').includes('json')
    if (!response.ok && !(json && text.includes('"jsonrpc"')))
      throw new HttpException(
        `${response.status} ${response.statusText}: ${text.slice(0, 200)}`.trim(),
        response.status,
      )
    return text
  }
}
