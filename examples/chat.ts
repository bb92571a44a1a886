/**
 * pulsar's chat: an HTML page at `/`, a WebSocket at `/message` whose
 * sockets get every chat message and publish what they send, and a
 * JSON-RPC endpoint at `/rpc` whose `message(text)` publishes too; gzip
 * for replies of 20 bytes or more. Messages travel on the pubsub the
 * `pubsub` setting names, so the same code serves one process, every core
 * (`--workers`), or many servers sharing one Redis.
 *
 *     npx tsx examples/chat.ts --workers 2         # then open http://127.0.0.1:8060 twice
 *     npx tsx examples/chat.ts --bind :8061 --pubsub redis://127.0.0.1:6379/0
 */
import { fileURLToPath } from 'node:url'

import {
  type Environ,
  GZipMiddleware,
  LazyWsgi,
  type PubSub,
  PubSubWS,
  type ServerOptions,
  WSGIServer,
  WsgiHandler,
  type WsgiRequest,
  getPubSub,
} from 'pulsar-ts'
import { Router } from 'pulsar-ts/router'
import { InvalidParams, JsonRpc } from 'pulsar-ts/rpc'
import { WebSocket, type WebSocketProtocol } from 'pulsar-ts/websocket'

import { CHAT_PAGE } from './chat-page.js'

/** The channel the chat's messages travel on. */
export const CHANNEL = 'webchat'

/** What the chat publishes and every socket receives, as JSON (pulsar's): the text and the time in seconds. */
export type ChatMessage = { message: string; time: number }

/** pulsar's clean-up of a message: its non-empty lines, trimmed, joined by spaces. */
export function cleanMessage(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ')
}

/** Publishes `text` to the chat, cleaned; `false` when nothing is left to publish. */
export async function publishMessage(pubsub: PubSub, text: string): Promise<boolean> {
  const message = cleanMessage(text)
  if (!message) return false
  const published: ChatMessage = { message, time: Date.now() / 1000 }
  await pubsub.publish(CHANNEL, published)
  return true
}

/** The handler of `/message`: every socket gets the chat; what a socket sends is published. */
export class Chat extends PubSubWS {
  constructor(pubsub: PubSub) {
    super(pubsub, CHANNEL)
  }

  override async onMessage(_ws: WebSocketProtocol, text: string): Promise<void> {
    await publishMessage(this.pubsub, text)
  }
}

/** The JSON-RPC of `/rpc`: `message(text)` publishes as a socket would and answers `'OK'`. */
export class ChatRpc extends JsonRpc {
  static override docs = { message: 'Publishes a message to every chat client.' }
  readonly #pubsub: PubSub
  readonly #maxMessage: number

  constructor(pubsub: PubSub, maxMessage: number) {
    super()
    this.#pubsub = pubsub
    this.#maxMessage = maxMessage
  }

  async rpc_message(_request: WsgiRequest, message: unknown = ''): Promise<string> {
    if (typeof message !== 'string') throw new InvalidParams('message must be a string')
    if (Buffer.byteLength(message) > this.#maxMessage)
      throw new InvalidParams(`message is longer than ${this.#maxMessage} bytes`)
    if (!(await publishMessage(this.#pubsub, message))) throw new InvalidParams('message is empty')
    return 'OK'
  }
}

/** The options of the chat. */
export interface WebChatOptions {
  /** The longest message in bytes, on the socket (larger closes it with 1009) and over RPC. @default 4096 */
  maxMessage?: number
}

/**
 * pulsar's WebChat: the application is built on the first request of each
 * process, once the server's settings (which pubsub) are known.
 */
export class WebChat extends LazyWsgi {
  readonly #maxMessage: number

  constructor(options: WebChatOptions = {}) {
    super()
    this.#maxMessage = options.maxMessage ?? 4096
  }

  async setup(environ: Environ): Promise<WsgiHandler> {
    const pubsub = getPubSub(environ)
    const chat = new Chat(pubsub)
    // subscribed before the first socket opens: a socket receives from its 101 on
    await chat.ready
    return new WsgiHandler(
      [
        new Router('/', { get: (request: WsgiRequest) => request.htmlResponse(CHAT_PAGE) }),
        new WebSocket('/message', chat, { maxPayload: this.#maxMessage }),
        new Router('/rpc', { post: new ChatRpc(pubsub, this.#maxMessage) }),
      ],
      [new GZipMiddleware(20)],
    )
  }
}

/** The server of this example, with the settings given in code. */
export function server(options: ServerOptions = {}, chat: WebChatOptions = {}): WSGIServer {
  return new WSGIServer(new WebChat(chat), options)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await server().start()
